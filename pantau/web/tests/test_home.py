import pytest

pytestmark = pytest.mark.django_db


def test_it_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/masuk/")


def test_the_login_page_speaks_indonesian_and_english_on_request(client):
    page = client.get("/masuk/").content.decode()
    assert 'lang="id"' in page and "Masuk" in page and "Nama pengguna" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    page = client.get("/masuk/").content.decode()
    assert 'lang="en"' in page and "Log in" in page


def test_the_pj_bupati_sees_the_three_clusters_and_all_kecamatan(login):
    page = login("bupati").get("/").content.decode()
    for title in (
        "Asisten Pemerintahan dan Kesejahteraan Rakyat",
        "Asisten Administrasi Umum",
        "Asisten Perekonomian dan Pembangunan",
    ):
        assert title in page
    for name in ("Tongas", "Paiton", "Tegalsiwalan", "Lumbang"):
        assert f">{name}</a>" in page


def test_an_asisten_sees_their_cluster_only(login):
    page = login("asisten-adum").get("/").content.decode()
    assert "Asisten Administrasi Umum" in page
    assert ">Tiris</a>" in page and ">Krucil</a>" in page
    assert ">Paiton</a>" not in page and ">Tongas</a>" not in page


def test_an_opd_head_sees_the_kecamatan_assigned_to_their_agency(login):
    page = login("opd-bakesbangpol").get("/").content.decode()
    assert "Kecamatan Tongas" in page and "Kecamatan Bantaran" in page
    assert "Kecamatan Paiton" not in page


def test_a_village_account_sees_its_village(login):
    page = login("desa-3513012001").get("/").content.decode()
    assert "Desa Ngadisari" in page and "Wonotoro" not in page


def test_an_external_agency_is_told_what_it_will_see(login):
    response = login("bawaslu").get("/")
    assert response.status_code == 200
    assert "Kecamatan" not in response.content.decode()


def test_an_account_without_territory_is_told_whom_to_ask(login, users):
    camat = users["camat-paiton"]
    camat.position = None
    camat.save(update_fields=["position"])
    page = login("camat-paiton").get("/").content.decode()
    assert "administrator" in page.lower()
    assert "Kecamatan Paiton" not in page


@pytest.mark.parametrize("username", ["bupati", "asisten-pemkesra", "camat-tongas"])
def test_the_home_page_needs_few_queries(login, django_assert_max_num_queries, username):
    client = login(username)
    # 17: one of them reads the operations' routing (which new problems wait for this seat),
    # two the menu's territory (which pages open for the role); none per problem or region
    with django_assert_max_num_queries(17):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("username, shown", [("admin", True), ("bupati", False)])
def test_the_national_dashboard_is_offered_to_the_administrator_only(login, username, shown):
    page = login(username).get("/").content.decode()
    assert ('id="nation"' in page) is shown
    assert ("/dasbor/?region=ID" in page) is shown


def test_the_region_page_lists_villages_and_officials_of_a_kecamatan(login):
    page = login("asisten-pemkesra").get("/wilayah/35.13.23/").content.decode()
    assert "Camat Tongas" in page and "Badan Kesatuan Bangsa dan Politik" in page
    assert "Desa" in page


def test_logging_out_ends_the_session(client):
    client.post("/masuk/", {"username": "camat-tongas", "password": "pantau-demo"})
    assert client.get("/").status_code == 200
    assert client.post("/keluar/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "username,shown",
    [("admin", True), ("bupati", True), ("camat-tongas", False), ("bawaslu", False)],
)
def test_the_audit_log_is_linked_for_those_who_may_read_it(login, username, shown):
    page = login(username).get("/").content.decode()
    assert ('href="/audit/"' in page) is shown
