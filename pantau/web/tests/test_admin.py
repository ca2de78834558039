import pytest

pytestmark = pytest.mark.django_db


def test_the_administrator_edits_the_instruction_in_indonesian(login):
    client = login("admin")
    page = client.get("/admin/").content.decode()
    for label in ("Instruksi pemantauan", "Klaster koordinasi", "Penugasan OPD", "Wilayah"):
        assert label in page, label
    clusters = client.get("/admin/instruction/cluster/")
    assert clusters.status_code == 200
    assert "Wilayah Asisten Administrasi Umum" in clusters.content.decode()
    assert client.get("/admin/regions/region/?q=Tongas").status_code == 200
    assert client.get("/admin/accounts/user/?role=camat").status_code == 200


def test_only_the_administrator_reaches_the_admin(login):
    for username in ("bupati", "asisten-adum", "camat-tongas"):
        response = login(username).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response.url
