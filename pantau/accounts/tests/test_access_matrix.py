"""The territory matrix: every role, a region inside its territory and one outside, read and write.

Outside the territory, a request gets 404 (the same answer as for a region that does not exist)
and never the region's data.
"""

import uuid

import pytest
from django.contrib.auth import get_user_model

from pantau.accounts import access
from pantau.accounts.access import Action
from pantau.instruction.models import Stage
from pantau.monitoring.models import Report
from pantau.regions.models import NATION_CODE, Level, Region, level_of_code
from pantau.tests.helpers import page_message

pytestmark = pytest.mark.django_db

KOTA = "35.74"  # Kota Probolinggo: a neighbouring region that is not this operation's

# role: (demo account, a region inside its territory or None, a region outside it or None)
MATRIX = {
    "admin": ("admin", "35.13.23.2001", None),
    "bupati": ("bupati", "35.13.12", KOTA),
    "coordinator": ("asisten-pemkesra", "35.13.23.2001", "35.13.12"),
    "camat": ("camat-tongas", "35.13.23.2001", "35.13.12.2001"),
    "opd": ("opd-bakesbangpol", "35.13.04", "35.13.12"),
    "village": ("desa-3513012001", "35.13.01.2001", "35.13.01.2002"),
    "monitor": ("pemantau-kraksaan", "35.13.14.1003", "35.13.14.2004"),
    "agency": ("bawaslu", None, "35.13.23"),
}
CASES = [
    (role, inside, action)
    for role in MATRIX
    for inside in (True, False)
    for action in Action
    if MATRIX[role][1 if inside else 2]
]


@pytest.fixture(autouse=True)
def kota(db):
    Region.objects.create(
        code="35", name="Jawa Timur", level=Level.PROVINSI
    ) if not Region.objects.filter(code="35").exists() else None
    Region.objects.create(
        code=KOTA,
        name="Kota Probolinggo",
        level=Level.KABUPATEN,
        kind="kota",
        parent=Region.objects.get(code="35"),
    )


def test_every_role_has_a_demo_account_in_the_matrix():
    roles = set(get_user_model().objects.values_list("role", flat=True))
    assert roles == set(MATRIX)
    for role, (username, *_) in MATRIX.items():
        assert get_user_model().objects.get(username=username).role == role


@pytest.mark.parametrize("role,inside,action", CASES)
def test_access_module(role, inside, action):
    username, inside_code, outside_code = MATRIX[role]
    user = get_user_model().objects.get(username=username)
    region = Region.objects.get(code=inside_code if inside else outside_code)
    assert access.can(user, action, region) is inside
    assert access.visible_regions(user).filter(pk=region.pk).exists() is inside
    if inside:
        assert access.get_region(user, region.code, action) == region
    else:
        with pytest.raises(access.NotFound):
            access.get_region(user, region.code, action)


@pytest.mark.parametrize("role,inside", [(r, i) for r, i, a in CASES if a == Action.READ])
def test_region_page(login, role, inside):
    username, inside_code, outside_code = MATRIX[role]
    region = Region.objects.get(code=inside_code if inside else outside_code)
    response = login(username).get(f"/wilayah/{region.code}/")
    if inside:
        assert response.status_code == 200
        assert region.name in response.content.decode()
    else:
        assert response.status_code == 404
        assert region.name not in response.content.decode()


@pytest.mark.parametrize("role", MATRIX)
def test_only_a_territory_of_everything_opens_the_nation(role):
    """The nation (above the provinces) is read by a user whose territory is everything; for
    everyone else it is a region outside the territory. It is no row, so `get_region` (which
    also serves writes) never returns it, not even to the administrator."""
    user = get_user_model().objects.get(username=MATRIX[role][0])
    if role == "admin":
        assert access.sees_nation(user)
        nation = access.get_nation(user)
        assert nation.is_nation and nation.pk is None
    else:
        assert not access.sees_nation(user)
        with pytest.raises(access.NotFound):
            access.get_nation(user)
    for action in Action:
        with pytest.raises(access.NotFound):
            access.get_region(user, NATION_CODE, action)


def test_a_superuser_opens_the_nation_and_an_inactive_administrator_does_not(users):
    superuser = get_user_model().objects.create_user(
        username="root", password="x", is_superuser=True
    )
    assert access.territory(superuser).everything and access.sees_nation(superuser)
    admin = users["admin"]
    admin.is_active = False
    assert not access.sees_nation(admin)
    with pytest.raises(access.NotFound):
        access.get_nation(admin)


def test_a_missing_region_and_a_forbidden_one_look_the_same(login):
    client = login("camat-tongas")
    missing = client.get("/wilayah/35.13.99/")
    forbidden = client.get("/wilayah/35.13.12/")
    assert missing.status_code == forbidden.status_code == 404
    assert page_message(missing) == page_message(forbidden)


def test_the_list_of_regions_is_exactly_the_territory():
    user = get_user_model().objects.get(username="camat-tongas")
    visible = set(access.visible_regions(user).values_list("code", flat=True))
    tongas = set(Region.objects.filter(code__startswith="35.13.23").values_list("code", flat=True))
    assert visible == tongas and len(tongas) == 1 + 14  # Tongas and its 14 villages
    coordinator = get_user_model().objects.get(username="asisten-ekbang")
    kecamatan = access.visible_regions(coordinator).filter(level=Level.KECAMATAN)
    assert {k.name for k in kecamatan} == {
        "Pajarakan",
        "Gading",
        "Pakuniran",
        "Krejengan",
        "Kraksaan",
        "Besuk",
        "Kotaanyar",
        "Paiton",
    }
    bupati = get_user_model().objects.get(username="bupati")
    assert not access.visible_regions(bupati).filter(code__startswith=KOTA).exists()
    assert access.visible_regions(bupati).filter(level=Level.DESA).count() == 330


def test_an_inactive_user_or_one_whose_position_ended_sees_nothing(users):
    camat = users["camat-tongas"]
    camat.position.is_active = False
    camat.position.save()
    camat.refresh_from_db()
    assert not access.territory(camat)
    users["bupati"].is_active = False
    assert not access.territory(users["bupati"])


# reports are about a kecamatan or a village: the pairs whose region is one of those
REPORT_CASES = [
    (r, i)
    for r, i, a in CASES
    if a == Action.WRITE
    and level_of_code(MATRIX[r][1 if i else 2]) in (Level.KECAMATAN, Level.DESA)
]


@pytest.mark.parametrize("role,inside", REPORT_CASES)
def test_sending_a_report_through_the_web_form(login, role, inside):
    """Write over HTTP: a report for a region inside the territory is stored; outside, the
    request is refused (4xx) and nothing is stored."""
    username, inside_code, outside_code = MATRIX[role]
    region = Region.objects.get(code=inside_code if inside else outside_code)
    client_id = uuid.uuid4()
    response = login(username).post(
        "/laporan/baru/",
        {
            "client_id": client_id,
            "region": region.code,
            "situation": "aman",
            "stage": Stage.objects.get(code="kampanye").pk,
            "observed_at": "2024-10-10T09:00",
        },
    )
    stored = Report.objects.filter(client_id=client_id, region=region).exists()
    if inside:
        assert response.status_code == 302 and stored
    else:
        assert 400 <= response.status_code < 500 and not stored
        assert region.name not in response.content.decode()  # never the region's data
