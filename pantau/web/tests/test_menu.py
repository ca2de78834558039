"""No dead ends: every link a role sees in the menu and on its home page opens for it, a role
without a page gets no link to it, and the error pages are in the site's layout, in Indonesian,
with a way back."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

# One account of each demo role (an OPD also speaks for its agency).
ROLES = [
    "admin",
    "bupati",
    "asisten-pemkesra",
    "camat-sukapura",
    "opd-dinkes",
    "desa-3513012001",
    "pemantau-kraksaan",
    "bawaslu",
]
HREF = re.compile(r'<a\s[^>]*href="([^"#]*)"')
SKIP = ("/static/", "/media/", "/admin/", "/api/", "mailto:", "tel:", "http")


def links(html: str) -> set[str]:
    found = {href.replace("&amp;", "&") for href in HREF.findall(html)}
    return {href for href in found if href.startswith("/") and not href.startswith(SKIP)}


def nav(html: str) -> str:
    return html[html.index('<nav class="nav"') : html.index("</nav>")]


@pytest.mark.parametrize("username", ROLES)
def test_every_link_of_the_menu_and_home_opens_for_the_role(username, new_problem, act):
    # something in each list: a problem referred to dinkes and to Bawaslu
    from pantau.instruction.models import Agency

    problem = new_problem()
    for code in ("dinkes", "bawaslu"):
        act(problem, "camat-sukapura", "refer", agency=Agency.objects.get(code=code))
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    home = client.get("/")
    assert home.status_code == 200
    found = links(home.content.decode())
    assert found, "no link at all"
    dead = {}
    for href in sorted(found):
        response = client.get(href)
        if response.status_code != 200:
            dead[href] = response.status_code
    assert not dead, dead


@pytest.mark.parametrize("username", ["bawaslu"])
def test_a_role_without_a_page_gets_no_link_to_it(username, login):
    menu = nav(login(username).get("/").content.decode())
    for name, url in (("dashboard", "/dasbor/"), ("compliance", "/kepatuhan/")):
        assert f'href="{url}"' not in menu, name


# Error pages (DEBUG False, as in production)


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _urls():
    from django.urls import path

    from pantau import urls

    return [path("boom/", boom), path("terlarang/", forbidden), *urls.urlpatterns]


urlpatterns = _urls()
handler403 = "pantau.web.errors.permission_denied"
handler404 = "pantau.web.errors.page_not_found"
handler500 = "pantau.web.errors.server_error"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return settings


def in_the_layout(response, status: int) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert 'class="bar"' in html and 'class="brand"' in html  # the site's header
    assert 'href="/"' in html  # a way back
    assert "Not Found" not in html and "Server Error" not in html
    return html


def test_404_403_500_are_in_indonesian_in_the_layout_with_a_way_back(production, login):
    client = login("bawaslu")
    html = in_the_layout(client.get("/tidak-ada/"), 404)
    assert "Halaman tidak ditemukan" in html and "Kembali ke beranda" in html
    html = in_the_layout(client.get("/masalah/999999/", HTTP_REFERER="http://testserver/"), 404)
    assert "tidak ditemukan" in html.lower() and "Kembali ke halaman sebelumnya" in html
    html = in_the_layout(client.get("/terlarang/"), 403)
    assert "Akses ditolak" in html
    client.raise_request_exception = False
    html = in_the_layout(client.get("/boom/"), 500)
    assert "Terjadi kesalahan" in html and "a bug" not in html
    # logged out, the way back is the login page
    anonymous = Client(raise_request_exception=False)
    html = in_the_layout(anonymous.get("/tidak-ada/"), 404)
    assert 'href="/masuk/' in html


def test_a_stale_form_is_a_403_page_in_indonesian(production, users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["camat-sukapura"])
    html = in_the_layout(client.post("/notifikasi/baca-semua/"), 403)
    assert "Formulir sudah kedaluwarsa" in html and "CSRF verification" not in html


def test_an_agencys_home_says_how_many_problems_are_referred_to_it(login, users, new_problem, act):
    from pantau.accounts import access
    from pantau.instruction.models import Agency

    client = login("bawaslu")
    before = access.problems_for(users["bawaslu"]).count()
    act(new_problem(), "camat-sukapura", "refer", agency=Agency.objects.get(code="bawaslu"))
    html = client.get("/").content.decode()
    assert "Belum ada masalah yang dirujuk" not in html
    assert f'<a href="/masalah/">{before + 1} masalah sejauh ini</a>' in html
