import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from pantau.demo.setup import REGION_DATA
from pantau.lib.errors import InputFileError
from pantau.regions.loader import FIELDS, load_regions
from pantau.regions.models import Level, Region

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "probolinggo"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; the command tests check the Indonesian."""
    with translation.override("en"):
        yield


def snapshot():
    return {r.code: tuple(getattr(r, f) for f in FIELDS) for r in Region.objects.all()}


def write(dir_: Path, name: str, text: str) -> None:
    (dir_ / name).write_text(text, encoding="utf-8")


@pytest.fixture
def small(tmp_path):
    """A tiny valid region set in a code range of its own (99.01)."""
    write(tmp_path, "kabupaten.csv", "code,name,kind,provinsi_name\n99.01,Contoh,kabupaten,Uji\n")
    write(tmp_path, "kecamatan.csv", "code,name\n99.01.01,Satu\n99.01.02,Dua\n")
    write(
        tmp_path,
        "desa.csv",
        "code,kecamatan_code,name,type\n99.01.01.2001,99.01.01,Alpha,desa\n"
        "99.01.02.1001,99.01.02,Beta,kelurahan\n",
    )
    square = {
        "type": "Polygon",
        "coordinates": [[[113, -7], [113.1, -7], [113.1, -7.1], [113, -7.1], [113, -7]]],
    }
    write(
        tmp_path,
        "kecamatan.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"code": "99.01.01"}, "geometry": square}
                ],
            }
        ),
    )
    return tmp_path


def test_it_loads_probolinggo_with_every_village_and_boundary():
    # the session fixture loaded the shipped copy the way setup-demo does
    assert Region.objects.filter(level=Level.KECAMATAN, code__startswith="35.13.").count() == 24
    assert Region.objects.filter(level=Level.DESA, code__startswith="35.13.").count() == 330
    assert Region.objects.get(code="35.13").title == "Kabupaten Probolinggo"
    assert Region.objects.get(code="35").name == "Jawa Timur"
    tongas = Region.objects.get(code="35.13.23")
    assert tongas.name == "Tongas" and tongas.parent.code == "35.13"
    assert tongas.geometry["type"] == "Polygon"
    assert -8.0 < tongas.centroid_lat < -7.6 and 113.0 < tongas.centroid_lon < 113.5
    assert Region.objects.get(code="35.13.21").geometry["type"] == "MultiPolygon"  # Gili Ketapang
    assert Region.objects.filter(level=Level.DESA, geometry__isnull=True).count() == 0
    assert Region.objects.filter(kind="kelurahan").count() == 5
    assert Region.objects.get(code="35.13.01.2001").parent.code == "35.13.01"


def test_it_changes_nothing_when_loaded_twice():
    before = snapshot()
    result = load_regions(REGION_DATA)
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == len(before)
    assert snapshot() == before


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside this checkout")
def test_it_loads_the_shared_layout_and_its_copy_is_faithful():
    for name in ("kecamatan.csv", "desa.csv", "kecamatan.geojson", "desa.geojson"):
        assert (SHARED / name).read_bytes() == (REGION_DATA / name).read_bytes(), name
    assert (REGION_DATA / "SOURCES.md").exists()
    before = snapshot()
    result = load_regions(SHARED)  # no kabupaten.csv there: the stored names are kept
    assert result.created == 0 and result.updated == 0
    assert snapshot() == before


def test_it_loads_a_new_set_and_updates_a_changed_row(small):
    result = load_regions(small)
    assert result.created == 6  # province, kabupaten, 2 kecamatan, 2 villages
    assert Region.objects.get(code="99.01.02.1001").kind == "kelurahan"
    satu = Region.objects.get(code="99.01.01")
    assert satu.geometry and satu.centroid_lat == pytest.approx(-7.05)
    write(small, "kecamatan.csv", "code,name\n99.01.01,Satu Baru\n99.01.02,Dua\n")
    result = load_regions(small)
    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get(code="99.01.01").name == "Satu Baru"
    assert Region.objects.get(code="99.01.01").geometry == satu.geometry


@pytest.mark.parametrize(
    "name,text,expected",
    [
        (
            "desa.csv",
            "code,kecamatan_code,name,type\n99.01.01.2001,99.01.01,Alpha,desa\n"
            "99.01.09.2001,99.01.09,Hilang,desa\n",
            "desa.csv:3: unknown parent",
        ),
        (
            "desa.csv",
            "code,kecamatan_code,name,type\n99.01.01.2001,99.01.01,Alpha,desa\n"
            "99.01.01.2001,99.01.01,Lagi,desa\n",
            "desa.csv:3: duplicate code 99.01.01.2001",
        ),
        ("kecamatan.csv", "code,name\n99.01.01,Satu\n99.1.2,Rusak\n", "kecamatan.csv:3: code"),
        ("kecamatan.csv", "kode,name\n99.01.01,Satu\n", "kecamatan.csv:1: missing column"),
        (
            "tps.csv",
            "desa_code,number\n99.01.01.2001,1\n99.01.01.2999,1\n",
            "tps.csv:3: unknown parent",
        ),
        (
            "kecamatan.geojson",
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"code": "99.01.01"},
                            "geometry": {
                                "type": "Polygon",  # a bow tie: the ring crosses itself
                                "coordinates": [
                                    [[113, -7], [113.1, -7.1], [113.1, -7], [113, -7.1], [113, -7]]
                                ],
                            },
                        }
                    ],
                }
            ),
            "kecamatan.geojson:feature 1: broken geometry for 99.01.01",
        ),
        (
            "kecamatan.geojson",
            '{"type": "FeatureCollection", "features": [\n{"type": }]}',
            "kecamatan.geojson:2: not valid JSON",
        ),
    ],
)
def test_it_rejects_a_bad_file_naming_file_and_line_and_writes_nothing(small, name, text, expected):
    write(small, name, text)
    before = snapshot()
    with pytest.raises(InputFileError) as info:
        load_regions(small)
    assert any(str(e).startswith(expected) for e in info.value.errors), info.value.errors
    assert snapshot() == before
    assert not Region.objects.filter(code__startswith="99").exists()


def test_the_command_reports_errors_in_indonesian_and_fails(small):
    write(small, "desa.csv", "code,kecamatan_code,name,type\n99.01.07.2001,99.01.07,X,desa\n")
    with pytest.raises(CommandError) as info:
        call_command("loadregions", str(small))
    message = str(info.value)
    assert "desa.csv:2" in message
    assert "tidak ada yang ditulis" in message.lower()


def test_the_command_prints_progress_and_a_summary(small, capsys):
    (small / "kecamatan.geojson").unlink()
    call_command("loadregions", str(small))
    out = capsys.readouterr().out
    assert "kecamatan: 2" in out and "6" in out
