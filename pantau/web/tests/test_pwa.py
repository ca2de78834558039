"""The installable app: manifest, service worker, offline page, and the pages that use them."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from PIL import Image

from pantau.web import pwa

pytestmark = pytest.mark.django_db


def worker_config(source: str) -> dict:
    first, _rest = source.split("\n", 1)
    match = re.fullmatch(r"self\.PANTAU = (\{.*\});", first)
    assert match, first
    return json.loads(match.group(1))


def header_colour() -> str:
    with open(finders.find("pantau/pantau.css")) as fh:
        css = fh.read()
    return re.search(r"\.bar \{[^}]*background: (#[0-9a-f]{6})", css).group(1)


def test_the_manifest_is_served_with_its_type_and_fields(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == data["short_name"] == "Pantau"
    assert data["start_url"] == data["scope"] == "/"
    assert data["display"] == "standalone"
    assert data["theme_color"] == header_colour() == "#14325c"
    assert data["lang"] == "id"
    shortcuts = {s["url"] for s in data["shortcuts"]}
    assert shortcuts == {"/laporan/baru/", "/masalah/baru/"}


def test_the_icons_of_the_manifest_are_pngs_of_their_sizes(client):
    data = json.loads(client.get("/manifest.webmanifest").content)
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in data["icons"])
    for icon in data["icons"]:
        # the collected file under its (hashed) name, as WhiteNoise serves it
        path = staticfiles_storage.path(icon["src"].removeprefix("/static/"))
        assert staticfiles_storage.exists(path), icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_worker_is_served_from_the_root_with_a_scope_of_everything(client):
    response = client.get("/sw.js")  # anonymous: the login page registers it too
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    cache = response["Cache-Control"]
    assert "no-cache" in cache and "max-age" not in cache and "immutable" not in cache
    source = response.content.decode()
    config = worker_config(source)
    assert re.fullmatch(r"[0-9a-f]{12}", config["version"])
    assert "pantau-shell-" in source and "importScripts(C.outboxScript)" in source
    assert config["pages"] == ["/", "/laporan/baru/", "/masalah/baru/"]
    assert config["offline"] == "/luring/" and config["login"] == "/masuk/"
    assert config["outboxScript"] == f"{static('pantau/offline.js')}?v={config['version']}"


def test_everything_the_worker_keeps_exists(client):
    config = worker_config(client.get("/sw.js").content.decode())
    for url in config["shell"]:
        if url.startswith("/static/"):
            assert staticfiles_storage.exists(url.removeprefix("/static/")), url
        else:
            assert client.get(url).status_code == 200, url
    assert static("django_htmx/htmx-2.min.js") in config["shell"]
    assert static("pantau/offline.js") in config["shell"]


def test_the_worker_is_revalidated_with_its_etag(client):
    first = client.get("/sw.js")
    again = client.get("/sw.js", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_the_worker_version_changes_when_a_kept_file_changes(monkeypatch):
    before = worker_config(pwa._worker())["version"]
    read = pwa._read

    def changed_css(path):
        data = read(path)
        return data + b"\n/* changed */" if path == "pantau/pantau.css" else data

    monkeypatch.setattr(pwa, "_read", changed_css)
    after = worker_config(pwa._worker())["version"]
    assert after != before


@pytest.mark.parametrize(
    ("url", "kind"), [("/laporan/baru/", "report"), ("/masalah/baru/", "problem")]
)
def test_the_field_forms_link_the_manifest_and_load_the_outbox(login, url, kind):
    page = login("desa-3513012001").get(url).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#14325c">' in page
    assert f'src="{static("pantau/pwa.js")}" data-worker="/sw.js"' in page
    assert f'src="{static("pantau/offline.js")}"' in page
    assert f'data-outbox="{kind}"' in page
    assert 'id="outbox-count" data-count="0"' in page
    assert 'data-user="desa-3513012001"' in page
    assert 'data-login-url="/masuk/"' in page
    assert "<script>" not in page  # no inline script (a strict CSP may come)


def test_the_report_form_finds_the_location_with_a_static_script(login):
    page = login("desa-3513012001").get("/laporan/baru/").content.decode()
    assert f'src="{static("pantau/locate.js")}"' in page
    assert re.search(r'id="locate"[^>]* data-finding="[^"]+" data-found="[^"]*%s', page)


def test_a_field_role_sees_the_outbox_on_the_home_page(login):
    page = login("desa-3513012001").get("/").content.decode()
    assert 'id="outbox-count"' in page and f'src="{static("pantau/offline.js")}"' in page


def test_a_desk_role_has_no_outbox_on_the_home_page(login):
    page = login("bupati").get("/").content.decode()
    assert 'id="outbox"' not in page and "offline.js" not in page
    assert 'data-worker="/sw.js"' in page  # the worker still keeps the home page


def test_the_login_page_is_logged_out_for_the_worker(client):
    page = client.get("/masuk/").content.decode()
    assert 'data-user=""' in page  # pwa.js deletes the pages kept for the last account


def test_a_page_with_a_one_time_message_is_marked_for_the_worker(login, new_report):
    client = login("desa-3513012001")
    report = new_report()
    client.post("/laporan/baru/", {"client_id": str(report.client_id)})  # "already arrived"
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'class="messages" role="status" data-flash' in page


def test_the_offline_page_is_the_same_for_everyone(client, login):
    anonymous = client.get("/luring/")
    assert anonymous.status_code == 200
    page = login("desa-3513012001").get("/luring/").content.decode()
    assert "desa-3513012001" not in page and "Ngadisari" not in page
    assert "data-user" not in page  # it does not clear anything either
    assert 'href="/laporan/baru/"' in page and 'href="/masalah/baru/"' in page
