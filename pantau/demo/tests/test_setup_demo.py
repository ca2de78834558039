import pytest
from django.contrib.auth import get_user_model

from pantau.demo.setup import setup_demo
from pantau.instruction.models import Role
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db

KECAMATAN = [
    "Sukapura",
    "Sumber",
    "Kuripan",
    "Bantaran",
    "Leces",
    "Banyuanyar",
    "Tiris",
    "Krucil",
    "Gading",
    "Pakuniran",
    "Kotaanyar",
    "Paiton",
    "Besuk",
    "Kraksaan",
    "Krejengan",
    "Pajarakan",
    "Maron",
    "Gending",
    "Dringu",
    "Tegalsiwalan",
    "Sumberasih",
    "Wonomerto",
    "Tongas",
    "Lumbang",
]


def test_the_demo_has_an_account_for_every_role_named_as_the_readme_says(users):
    expected = {
        "admin": Role.ADMIN,
        "bupati": Role.BUPATI,
        "asisten-pemkesra": Role.COORDINATOR,
        "asisten-adum": Role.COORDINATOR,
        "asisten-ekbang": Role.COORDINATOR,
        "desa-3513012001": Role.VILLAGE,
        "bawaslu": Role.AGENCY,
        "pemantau-kraksaan": Role.MONITOR,
        **{f"camat-{name.lower()}": Role.CAMAT for name in KECAMATAN},
    }
    for username, role in expected.items():
        assert users[username].role == role, username
    assert users["camat-tegalsiwalan"].position.region.name == "Tegalsiwalan"
    opd = [u for u in users.values() if u.role == Role.OPD]
    assert opd and all(u.position.agency.assignments.exists() for u in opd)
    assert users["bawaslu"].agency.code == "bawaslu"
    assert [r.code for r in users["desa-3513012001"].regions.all()] == ["35.13.01.2001"]
    assert users["admin"].is_superuser and not users["bupati"].is_staff
    # the clusters in the seed's order
    clusters = [
        u.position.clusters.get()
        for u in (users["asisten-pemkesra"], users["asisten-adum"], users["asisten-ekbang"])
    ]
    assert [c.order for c in clusters] == [0, 1, 2]


@pytest.mark.parametrize(
    "username",
    ["admin", "bupati", "asisten-adum", "camat-tongas", "desa-3513012001", "bawaslu", "opd-dinkes"],
)
def test_every_demo_account_logs_in_with_the_demo_password(client, username):
    response = client.post("/masuk/", {"username": username, "password": "pantau-demo"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").context["user"].username == username


def test_a_wrong_password_is_refused_with_a_message_in_indonesian(client):
    response = client.post("/masuk/", {"username": "camat-tongas", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau sandi salah" in response.content.decode()


def test_setup_demo_is_idempotent_and_follows_the_password_setting(monkeypatch):
    User = get_user_model()
    before = list(User.objects.order_by("username").values_list("username", "password", "role"))
    regions = Region.objects.count()
    setup_demo()
    assert (
        list(User.objects.order_by("username").values_list("username", "password", "role"))
        == before
    )
    assert Region.objects.count() == regions
    monkeypatch.setenv("PANTAU_DEMO_PASSWORD", "rahasia-baru")
    setup_demo()
    assert User.objects.get(username="camat-tongas").check_password("rahasia-baru")
    assert User.objects.get(username="admin").check_password("rahasia-baru")


def test_camat_tongas_sees_tongas_and_its_villages_and_nothing_of_paiton(client):
    client.post("/masuk/", {"username": "camat-tongas", "password": "pantau-demo"})
    home = client.get("/").content.decode()
    assert "Kecamatan Tongas" in home
    villages = Region.objects.filter(parent__code="35.13.23")
    assert villages.count() == 14
    for village in villages:
        assert village.name in home
    paiton = Region.objects.filter(code__startswith="35.13.12")
    for region in paiton:
        assert region.name not in home
    assert client.get("/wilayah/35.13.12/").status_code == 404
    assert client.get("/wilayah/35.13.23/").status_code == 200
