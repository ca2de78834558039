"""GeoJSON geometry checks with shapely: is it a valid area, and where is its centre."""

from shapely.geometry import shape
from shapely.validation import explain_validity

AREA_TYPES = {"Polygon", "MultiPolygon"}


class GeometryError(ValueError):
    pass


def check_area(geometry: object) -> tuple[float, float]:
    """Validate a GeoJSON Polygon/MultiPolygon; return its centroid as (lat, lon).

    Raises GeometryError with a readable reason when the geometry is not a valid area.
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in AREA_TYPES:
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise GeometryError(f"expected Polygon or MultiPolygon, got {kind}")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise GeometryError(f"unreadable coordinates ({exc})") from exc
    if geom.is_empty:
        raise GeometryError("empty geometry")
    if not geom.is_valid:
        raise GeometryError(explain_validity(geom))
    lon, lat = geom.centroid.x, geom.centroid.y
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeometryError("coordinates outside WGS84 (longitude, latitude) range")
    return round(lat, 6), round(lon, 6)


def distance_km(geometry, lat: float, lon: float) -> float:
    """Distance from a point to an area (0 inside), in km, good enough near the equator.
    `geometry`: GeoJSON, or the shapely geometry made of it (`shape`) to check many points."""
    from shapely.geometry import Point
    from shapely.geometry.base import BaseGeometry

    area = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
    degrees = area.distance(Point(lon, lat))
    return round(degrees * 111.32, 3)
