"""The map of the kecamatan, coloured by situation and named, as an inline SVG (no tiles).

Longitude and latitude are projected onto the SVG's box with an equirectangular projection
scaled by the cosine of the middle latitude, which is exact enough for one regency.

The boundaries are simplified after projection, in the SVG's own units: the box is 640 units
across the A4 text width (170 mm), so one unit is about 0.27 mm on paper. A tolerance of
`TOLERANCE` units (about 0.1 mm) is below what a printer shows, and since two neighbours are
simplified independently, their shared border can differ by at most twice that, which stays
under the white border drawn between them (`STROKE`). Probolinggo's 24 kecamatan go from
about 10,600 points to about 3,600; WeasyPrint's time to lay out and draw the map falls with
them.
"""

import math
from html import escape

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.ops import polylabel

COLOURS = {"aman": "#2e7d32", "waspada": "#f9a825", "rawan": "#c62828"}
NO_DATA = "#d0d0d0"
ON_DARK = {COLOURS["aman"], COLOURS["rawan"]}  # fills a name is written on in white
TOLERANCE = 0.4  # SVG units (about 0.1 mm on the page)
PRECISION = 0.1  # SVG units: the grid the coordinates are written on
STROKE = 0.8  # SVG units: the white border between kecamatan
LABEL_SIZE = 7.5  # SVG units (2 mm on the page, about 5.7 pt): the kecamatan's name


def _geometry(region: dict):
    geometry = region.get("geometry") or {}
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    try:
        geom = shape(geometry)
    except Exception:  # noqa: BLE001 - a broken geometry leaves the region off the map
        return None
    return None if geom.is_empty else geom


def _path(geom) -> str:
    """One SVG path for a (projected, simplified) Polygon or MultiPolygon: a subpath per ring."""
    parts = []
    for polygon in getattr(geom, "geoms", [geom]):
        if polygon.is_empty:
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.round(shapely.get_coordinates(ring)[:-1], 1)  # its end is its start
            if len(coords) < 3:
                continue
            # An explicit L before every point: WeasyPrint re-slices the rest of the string for
            # each implicit one, which is quadratic in the length of the path.
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in coords.tolist()) + "Z")
    return "".join(parts)


def _label_point(geom) -> tuple[float, float]:
    """Where the name goes: the pole of inaccessibility of the largest part (the point inside it
    farthest from its edge), so that a long or bent kecamatan holds its own name."""
    largest = max(getattr(geom, "geoms", [geom]), key=lambda polygon: polygon.area)
    point = polylabel(largest, tolerance=1.0)
    return point.x, point.y


def render(regions: list[dict], *, width: int = 640, height: int = 360) -> str:
    """`regions`: dicts with code, name, geometry (GeoJSON Polygon/MultiPolygon) and situation.
    One `<path>` per region that has a geometry, in the order given, and its name on it (over
    every shape, on a halo of its own fill, so that a name reaching over a border still reads)."""
    shapes = [(r, g) for r in regions if (g := _geometry(r)) is not None]
    if not shapes:
        return ""
    geoms = np.array([g for _r, g in shapes], dtype=object)
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(geoms)
    scale_x = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = (max_lon - min_lon) * scale_x or 1e-9
    span_y = (max_lat - min_lat) or 1e-9
    pad = 8
    k = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    off_x = (width - span_x * k) / 2
    off_y = (height - span_y * k) / 2

    def project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(
            [off_x + (coords[:, 0] - min_lon) * scale_x * k, off_y + (max_lat - coords[:, 1]) * k]
        )

    projected = shapely.transform(geoms, project)
    simplified = shapely.simplify(projected, TOLERANCE, preserve_topology=True)
    # Snapped to the 0.1 unit the path is written with, keeping each shape valid (rounding the
    # coordinates alone can fold two close points into a spike).
    simplified = shapely.set_precision(simplified, PRECISION)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" class="map">'
    ]
    names, halos = [], []
    for (region, _g), geom in zip(shapes, simplified, strict=True):
        colour = COLOURS.get(region.get("situation") or "", NO_DATA)
        code, name = escape(str(region.get("code") or "")), escape(region["name"])
        parts.append(
            f'<path data-code="{code}" d="{_path(geom)}" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="{STROKE}">'
            f"<title>{name}</title></path>"
        )
        x, y = _label_point(geom)
        at = f'x="{x:.1f}" y="{y + LABEL_SIZE / 3:.1f}"'  # the letters' middle on the point
        ink = "#ffffff" if colour in ON_DARK else "#1a1a1a"
        halos.append(f'<text {at} fill="{colour}" stroke="{colour}">{name}</text>')
        names.append(f'<text {at} fill="{ink}" data-code="{code}">{name}</text>')
    text = f'font-family="DejaVu Sans, sans-serif" font-size="{LABEL_SIZE}" text-anchor="middle"'
    parts.append(f'<g {text} stroke-width="2.4" stroke-linejoin="round">{"".join(halos)}</g>')
    parts.append(f'<g {text} class="names">{"".join(names)}</g>')
    parts.append("</svg>")
    return "".join(parts)
