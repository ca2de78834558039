"""The map of the periodic report: one shape per kecamatan, coloured by its situation, with its
boundary simplified for the page but never moved by more than the tolerance (about 0.1 mm)."""

import io
import re
import xml.etree.ElementTree as ET

from pypdf import PdfReader
from shapely.geometry import MultiPolygon, Point, Polygon

from pantau.periodic import content, mapsvg, pdf
from pantau.periodic.actions import resolve_scope
from pantau.periodic.tests.conftest import KABUPATEN, PAITON
from pantau.regions.models import Level, Region

SVG = "{http://www.w3.org/2000/svg}"
SUMBERASIH = "35.13.21"  # two parts (a MultiPolygon)


def _kabupaten_content(today):
    scope, region, cluster, operation = resolve_scope(
        scope=None, region=Region.objects.get(code=KABUPATEN), cluster=None
    )
    spec = content.Spec(
        operation=operation, scope=scope, region=region, cluster=cluster, start=today, end=today
    )
    return content.build(spec)


def _paths(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    paths = list(root.iter(f"{SVG}path"))
    by_code = {p.get("data-code"): p for p in paths}
    assert len(by_code) == len(paths), "two shapes for one region"
    return by_code


def _shape(d: str):
    """The area drawn by a path of M/L/Z commands (one polygon per subpath)."""
    polygons = []
    for subpath in re.findall(r"M([^MZ]+)Z", d):
        points = [tuple(map(float, p.split(","))) for p in subpath.split("L")]
        polygons.append(Polygon(points))
    return MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]


def test_the_kabupaten_map_has_one_shape_per_kecamatan(inventory, today):
    data = _kabupaten_content(today)
    kecamatan = Region.objects.filter(parent__code=KABUPATEN, level=Level.KECAMATAN)
    codes = {k.code for k in kecamatan if k.geometry}
    assert len(codes) == 24

    html = pdf.render_html(data)
    assert html.count("<svg") == 1
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    paths = _paths(svg)
    assert set(paths) == codes

    situation = {k["code"]: k["situation"] for k in data["kecamatan"]}
    assert situation[PAITON] == "rawan"  # the fixture's report from Paiton
    assert paths[PAITON].get("fill") == mapsvg.COLOURS["rawan"]
    for code, path in paths.items():
        assert path.get("fill") == mapsvg.COLOURS.get(situation[code], mapsvg.NO_DATA), code
        assert path.find(f"{SVG}title").text == next(k.name for k in kecamatan if k.code == code)
    # Sumberasih's two parts are two subpaths of its one shape.
    assert paths[SUMBERASIH].get("d").count("M") == 2


def test_every_kecamatan_is_named_on_its_own_shape(inventory, today):
    data = _kabupaten_content(today)
    svg = mapsvg.render(data["map"]["regions"])
    root = ET.fromstring(svg)
    names = {t.get("data-code"): t for t in root.iter(f"{SVG}text") if t.get("data-code")}
    paths = _paths(svg)
    assert set(names) == set(paths) and len(names) == 24
    for code, text in names.items():
        region = next(r for r in data["map"]["regions"] if r["code"] == code)
        assert text.text == region["name"]
        # The name sits inside its kecamatan, in ink that reads on its fill.
        middle = Point(float(text.get("x")), float(text.get("y")) - mapsvg.LABEL_SIZE / 3)
        assert _shape(paths[code].get("d")).contains(middle), code
        dark = paths[code].get("fill") in (mapsvg.COLOURS["aman"], mapsvg.COLOURS["rawan"])
        assert text.get("fill") == ("#ffffff" if dark else "#1a1a1a"), code
    assert names[PAITON].get("fill") == "#ffffff"  # rawan: white on red
    # WeasyPrint draws them: the map alone made a PDF holds each name as text.
    from weasyprint import HTML

    drawn = PdfReader(io.BytesIO(HTML(string=svg).write_pdf())).pages[0].extract_text()
    for region in data["map"]["regions"]:
        assert region["name"] in drawn


def test_simplified_boundaries_stay_within_the_tolerance(db, monkeypatch):
    regions = [
        {"code": k.code, "name": k.name, "geometry": k.geometry, "situation": "aman"}
        for k in Region.objects.filter(parent__code=KABUPATEN, level=Level.KECAMATAN)
    ]
    simplified = _paths(mapsvg.render(regions))
    tolerance = mapsvg.TOLERANCE
    monkeypatch.setattr(mapsvg, "TOLERANCE", 0)
    exact = _paths(mapsvg.render(regions))
    assert set(simplified) == set(exact) and len(exact) == 24

    points = {"exact": 0, "simplified": 0}
    for code, path in exact.items():
        original, drawn = _shape(path.get("d")), _shape(simplified[code].get("d"))
        assert drawn.is_valid, code
        # No visible part of the boundary moved by more than the tolerance (plus the 0.1 unit
        # grid): the drawn shape lies inside the original grown by it and covers the original
        # shrunk by it, but for specks where the grid pinches a sliver (under 0.1 unit², about
        # 0.007 mm² on paper).
        margin = tolerance + mapsvg.PRECISION
        outside = drawn.difference(original.buffer(margin)).area
        uncovered = original.buffer(-margin).difference(drawn).area
        assert outside + uncovered < 0.1, code
        assert abs(drawn.area - original.area) <= 0.01 * original.area, code
        points["exact"] += path.get("d").count(",")
        points["simplified"] += simplified[code].get("d").count(",")
    assert points["simplified"] * 2 < points["exact"]  # the map is much lighter to lay out


def test_regions_without_a_boundary_are_left_off():
    square = {"type": "Polygon", "coordinates": [[[113, -7.8], [113.1, -7.8], [113.1, -7.7]]]}
    regions = [
        {"code": "35.13.01", "name": "A", "geometry": square, "situation": "waspada"},
        {"code": "35.13.02", "name": "B", "geometry": None, "situation": "rawan"},
        {"code": "35.13.03", "name": "C", "geometry": {"type": "Point"}, "situation": None},
    ]
    paths = _paths(mapsvg.render(regions))
    assert set(paths) == {"35.13.01"}
    assert paths["35.13.01"].get("fill") == mapsvg.COLOURS["waspada"]
    assert mapsvg.render([regions[1]]) == ""
