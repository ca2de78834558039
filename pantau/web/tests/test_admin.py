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


def _names(page: str) -> set[str]:
    import re

    apps = re.findall(r"<caption>\s*<a[^>]*>([^<]*)</a>", page)
    models = re.findall(r"<th scope=.row.[^>]*>\s*<a[^>]*>([^<]*)</a>", page)
    return {name.strip() for name in apps + models}


def test_the_admin_index_names_every_app_and_model_in_indonesian(login):
    client = login("admin")
    indonesian = _names(client.get("/admin/").content.decode())
    client.cookies["django_language"] = "en"
    english = _names(client.get("/admin/").content.decode())
    assert len(indonesian) == len(english) > 20
    # the same in both languages only where Indonesian says it so too
    assert indonesian & english <= {"API", "Token API", "Webhook"}, indonesian & english
    for name in ("Penguncian login", "Aplikasi autentikator", "Upaya akses"):
        assert name in indonesian, indonesian
    for name in ("Axes", "Otp_Totp", "Otp_Static", "TOTP devices", "Static devices"):
        assert name not in indonesian
