"""The map of the kecamatan coloured by situation, as an inline SVG (no tiles, no network).

Longitude and latitude are projected onto the SVG's box with an equirectangular projection
scaled by the cosine of the middle latitude, which is exact enough for one regency.
"""

import math
from html import escape

COLOURS = {"aman": "#2e7d32", "waspada": "#f9a825", "rawan": "#c62828"}
NO_DATA = "#d0d0d0"


def _rings(geometry: dict) -> list[list]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def render(regions: list[dict], *, width: int = 640, height: int = 360) -> str:
    """`regions`: dicts with name, geometry (GeoJSON Polygon/MultiPolygon) and situation."""
    shapes = [(r, _rings(r["geometry"] or {})) for r in regions]
    points = [pt for _r, rings in shapes for ring in rings for pt in ring]
    if not points:
        return ""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    scale_x = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * scale_x or 1e-9
    span_y = (max(lats) - min(lats)) or 1e-9
    pad = 8
    k = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    off_x = (width - span_x * k) / 2
    off_y = (height - span_y * k) / 2

    def xy(pt) -> str:
        x = off_x + (pt[0] - min(lons)) * scale_x * k
        y = off_y + (max(lats) - pt[1]) * k
        return f"{x:.1f},{y:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" class="map">'
    ]
    for region, rings in shapes:
        path = " ".join("M" + " L".join(xy(pt) for pt in ring) + " Z" for ring in rings if ring)
        colour = COLOURS.get(region.get("situation") or "", NO_DATA)
        parts.append(
            f'<path d="{path}" fill="{colour}" stroke="#ffffff" stroke-width="0.8">'
            f"<title>{escape(region['name'])}</title></path>"
        )
    parts.append("</svg>")
    return "".join(parts)
