import xml.etree.ElementTree as ET

import pytest

from pantau.instruction.models import Category, Checklist
from pantau.odk.tests.helpers import NGADISARI, NS, SUKAPURA, TONGAS, form_list, message, qn
from pantau.odk.xforms import choice_names
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db


def download(phone, form_id):
    forms = form_list(phone.form_list())
    response = phone.download(forms[form_id]["downloadUrl"])
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response["X-OpenRosa-Version"] == "1.0"
    return response.content


def parse(xform: bytes):
    root = ET.fromstring(xform)
    assert root.tag == qn("h", "html")
    model = root.find("h:head/x:model", NS)
    assert model is not None
    instances = model.findall("x:instance", NS)
    primary = instances[0][0]
    choices = {
        inst.get("id"): {
            item.find("x:name", NS).text: item.find("x:label", NS).text
            for item in inst.findall("x:root/x:item", NS)
        }
        for inst in instances[1:]
    }
    binds = {b.get("nodeset"): b for b in model.findall("x:bind", NS)}
    return root, primary, choices, binds


def test_a_checklist_form_is_a_well_formed_xform(collect):
    xform = download(collect(), "pantau-pemungutan")
    root, primary, choices, binds = parse(xform)
    checklist = Checklist.objects.get(code="pemungutan", operation__status="active")
    assert root.find("h:head/h:title", NS).text == checklist.name
    assert primary.tag == qn("x", "data")
    assert primary.get("id") == "pantau-pemungutan" and primary.get("version")
    fields = [child.tag.rsplit("}", 1)[1] for child in primary]
    assert fields[:4] == ["start", "region", "tps", "situation"]
    assert {"checklist", "narrative", "photo1", "photo2", "photo3", "location", "meta"} <= set(
        fields
    )
    assert binds["/data/meta/instanceID"].get(qn("jr", "preload")) == "uid"
    assert binds["/data/start"].get(qn("jr", "preloadParams")) == "start"
    assert binds["/data/region"].get("required") == "true()"
    assert binds["/data/tps"].get("type") == "int" and not binds["/data/tps"].get("required")
    assert binds["/data/photo1"].get("type") == "binary"
    assert binds["/data/location"].get("type") == "geopoint"
    assert choices["situasi"].keys() == {"aman", "waspada", "rawan"}
    # Every question of the checklist, typed, required where the checklist says so.
    for q in checklist.questions:
        bind = binds[f"/data/checklist/{q['code']}"]
        assert (bind.get("required") == "true()") == bool(q.get("required")), q["code"]
        expected = {"yes_no": "string", "choice": "string", "number": "decimal", "text": "string"}
        assert bind.get("type") == expected[q["type"]]
    assert choices["ya_tidak"].keys() == {"ya", "tidak"}
    # A choice keeps its text as the label under a name without spaces.
    assert choices["q_gangguan"] == {"tidak_ada": "tidak ada", "ringan": "ringan", "berat": "berat"}


def test_the_region_choices_are_the_users_regions(collect):
    _root, _primary, choices, _binds = parse(download(collect("desa-3513012001"), "pantau-masalah"))
    assert choices["wilayah"] == {NGADISARI: Region.objects.get(code=NGADISARI).title}
    assert choices["wilayah"][NGADISARI].endswith("Ngadisari")


def test_a_camat_chooses_the_kecamatan_and_its_villages_and_nothing_else(collect):
    _root, _primary, choices, _binds = parse(download(collect("camat-tongas"), "pantau-kampanye"))
    regions = choices["wilayah"]
    villages = Region.objects.filter(parent__code=TONGAS)
    assert set(regions) == {TONGAS, *villages.values_list("code", flat=True)}
    assert regions[TONGAS] == "Kecamatan Tongas"
    assert all(code == TONGAS or code.startswith(TONGAS + ".") for code in regions)
    assert SUKAPURA not in regions and NGADISARI not in regions


def test_the_problem_form_has_the_categories_and_severities(collect):
    xform = download(collect(), "pantau-masalah")
    _root, primary, choices, binds = parse(xform)
    assert primary.get("id") == "pantau-masalah"
    assert choices["kategori"] == dict(
        Category.objects.filter(is_active=True).values_list("code", "name")
    )
    assert choices["keparahan"].keys() == {"rendah", "sedang", "tinggi", "kritis"}
    for field in ("region", "title", "category", "severity"):
        assert binds[f"/data/{field}"].get("required") == "true()", field
    for field in ("description", "suggestion", "tps", "photo1", "location"):
        assert not binds[f"/data/{field}"].get("required"), field


def test_a_form_of_no_one_is_not_found(collect):
    phone = collect()
    form_list(phone.form_list())
    response = phone.download("/odk/forms/pantau-tidak-ada.xml")
    assert response.status_code == 404
    assert message(response)[0] == "unknown_form"


def test_an_agency_cannot_download_a_form(collect):
    response = collect("bawaslu").download("/odk/forms/pantau-masalah.xml")
    assert response.status_code == 404


def test_the_form_needs_credentials(client):
    response = client.get("/odk/forms/pantau-masalah.xml")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")


def test_choice_names_are_safe_and_unique():
    names = choice_names(["tidak ada", "Tidak  ada!", "ringan", "", "berat/parah"])
    assert list(names) == ["tidak_ada", "tidak_ada_2", "ringan", "pilihan", "berat_parah"]
    assert list(names.values()) == ["tidak ada", "Tidak  ada!", "ringan", "", "berat/parah"]
    assert all(" " not in name for name in names)


def test_a_kept_form_is_forgotten_when_its_checklist_changes(collect, monkeypatch):
    """Outside a transaction (as a server runs) the form a submission names is kept per
    process; a changed checklist (an instruction reload, the admin) gives the new one at once."""
    from pantau.instruction.models import Checklist
    from pantau.lib import kept

    kept.clear_all()
    monkeypatch.setattr(kept, "enabled", lambda: True)
    phone = collect()
    before = download(phone, "pantau-pemungutan")
    assert download(phone, "pantau-pemungutan") == before and b"baru" not in before
    checklist = Checklist.objects.get(code="pemungutan", operation__region__code="35.13")
    checklist.questions = [*checklist.questions, {"code": "baru", "text": "Baru?", "type": "text"}]
    checklist.save()
    _root, _primary, _choices, binds = parse(download(phone, "pantau-pemungutan"))
    assert "/data/checklist/baru" in binds
    kept.clear_all()
