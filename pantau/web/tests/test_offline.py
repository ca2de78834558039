"""Field reporting without signal, in a real browser: Debian's chromium driven by Playwright,
against `pantau demo` on 127.0.0.1, on the screen of a cheap phone. The service worker is real
(127.0.0.1 is a secure context), and so is the offline switch (it covers the worker's own
requests too).

What reached the server is counted by client_id in the demo's database, through the
`pantau shell` console script on the same data directory."""

import json
import re
import subprocess
import time

import pytest

from pantau.conftest import ARTIFACTS, new_phone, pantau_script
from pantau.web.tests.helpers import png_bytes

PHOTO = {"name": "tps.png", "mimeType": "image/png", "buffer": png_bytes((64, 48))}
DESA = "desa-3513012001"
BUDGET = 150 * 1024  # bytes transferred on the first load of a field page
pytestmark = pytest.mark.browser


def log_in(page, url, username=DESA):
    page.goto(url + "/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pantau-demo")
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


def wait_for(predicate, timeout=15.0, message=""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message or predicate}")
        time.sleep(0.2)


def wait_js(page, expression, timeout=30000):
    """page.wait_for_function, polled from here: Playwright's own polling evals the expression
    in the page, which the Content-Security-Policy (no 'unsafe-eval') forbids."""
    return wait_for(lambda: page.evaluate(expression), timeout=timeout / 1000, message=expression)


def wait_for_worker(page):
    """The worker controls the page and keeps the field pages."""
    # Polled from here: wait_for_function evals in the page, which the CSP forbids.
    wait_for(
        lambda: page.evaluate("navigator.serviceWorker.controller !== null"),
        timeout=15,
        message="the service worker",
    )
    kept = "caches.open('pantau-pages').then(c => c.keys()).then(k => k.map(r => r.url))"
    return wait_for(
        lambda: (urls := page.evaluate(kept)) and len(urls) == 3 and urls,
        message="the field pages to be kept",
    )


def fill_report(page, narrative):
    """Situation, the required answers of the stage preselected, a narrative."""
    page.check("input[name=situation][value=aman]")
    required = page.evaluate(
        "[...new Set([...document.querySelectorAll('#questions [required]')].map(e => e.name))]"
    )
    for name in required:
        field = page.locator(f"[name={name}]").first
        if field.get_attribute("type") == "radio":
            field.check()
        else:
            field.fill("1")
    page.fill("textarea[name=narrative]", narrative)


def count(page) -> int:
    return int(page.get_attribute("#outbox-count", "data-count"))


def wait_for_count(page, n, timeout=20000):
    wait_for(
        lambda: page.evaluate(f"document.querySelector('#outbox-count').dataset.count === '{n}'"),
        timeout=timeout / 1000,
        message=f"{n} waiting on the phone",
    )


READ_OUTBOX = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open("pantau", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("outbox", {keyPath: "client_id"});
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const db = open.result;
        const all = db.transaction("outbox").objectStore("outbox").getAll();
        all.onerror = () => reject(all.error);
        all.onsuccess = () => {
            db.close();
            resolve(all.result.sort((a, b) => a.saved_at - b.saved_at).map(i => (
                {client_id: i.client_id, state: i.state, user: i.user, error: i.error})));
        };
    };
})"""


def outbox(page) -> list[dict]:
    """The phone's outbox, read from IndexedDB (also on pages without offline.js)."""
    return page.evaluate(READ_OUTBOX)


def on_server(demo_server, client_ids) -> dict[str, int]:
    """How many reports the server holds for each client_id."""
    return ask_server(
        demo_server,
        f"{{i: Report.objects.filter(client_id=i).count() for i in {list(client_ids)!r}}}",
    )


def photos_on_server(demo_server, client_id) -> int:
    return ask_server(demo_server, f"Report.objects.get(client_id={client_id!r}).photos.count()")


def ask_server(demo_server, expression: str):
    """The value (as JSON) of a Python expression in the demo server's database."""
    code = (
        f"import json; from pantau.monitoring.models import Report; print(json.dumps({expression}))"
    )
    out = subprocess.run(
        [pantau_script(), "shell", "--no-imports", "-c", code],
        env=demo_server["env"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_two_reports_sent_offline_arrive_once_each_when_the_signal_returns(demo_server, phone):
    ARTIFACTS.mkdir(exist_ok=True)
    url = demo_server["url"]
    page = phone.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")
    kept = wait_for_worker(page)
    assert {u.removeprefix(url) for u in kept} == {"/", "/laporan/baru/", "/masalah/baru/"}

    phone.set_offline(True)
    page.reload()  # no signal: the worker answers with the kept page
    assert page.locator("#report-form").count() == 1
    assert count(page) == 0
    # The kept page carries the client_id it was rendered with; each report gets a new one.
    kept_html = page.evaluate("caches.match(location.href).then(r => r.text())")
    kept_id = re.search(r'name="client_id" value="([^"]+)"', kept_html).group(1)
    for n in (1, 2):
        fill_report(page, f"Laporan tanpa sinyal {n}")
        if n == 2:  # a photo, kept on the phone as a Blob
            page.set_input_files("input[name=photos]", files=[PHOTO])
        page.click("#report-form button[type=submit]")
        wait_for_count(page, n)
        assert page.input_value("input[name=client_id]") not in {
            i["client_id"] for i in outbox(page)
        }
    items = outbox(page)
    client_ids = [i["client_id"] for i in items]
    assert len(set(client_ids)) == 2 and kept_id not in client_ids
    assert all(i["state"] == "waiting" and i["user"] == DESA for i in items)
    assert page.locator("#outbox").is_visible()
    assert page.locator("#outbox-items li").count() == 2
    assert page.input_value("textarea[name=narrative]") == ""  # ready for the next one
    assert on_server(demo_server, client_ids) == {i: 0 for i in client_ids}
    page.screenshot(path=ARTIFACTS / "offline-two-waiting-360.png", full_page=True)

    # The problem form opens without signal too (kept when the worker installed).
    other = phone.new_page()
    other.goto(url + "/masalah/baru/")
    assert other.locator("#problem-form").count() == 1
    wait_for_count(other, 2)  # the page reads the outbox after it has loaded
    other.close()

    phone.set_offline(False)
    wait_for_count(page, 0)
    assert on_server(demo_server, client_ids) == {i: 1 for i in client_ids}
    assert [photos_on_server(demo_server, i) for i in client_ids] == [0, 1]
    assert outbox(page) == []
    page.screenshot(path=ARTIFACTS / "offline-all-sent-360.png", full_page=True)

    page.reload()
    assert count(page) == 0 and outbox(page) == []
    time.sleep(1)  # any late sync would show now
    assert on_server(demo_server, client_ids) == {i: 1 for i in client_ids}

    page.goto(url + "/")  # a village head sees it at a glance on the home page too
    assert page.get_attribute("#outbox-count", "data-count") == "0"


def test_a_report_whose_answer_was_lost_is_stored_once(demo_server, browser):
    # Without the worker, so that Playwright's routing sees the page's own requests.
    context = new_phone(browser, service_workers="block")
    url = demo_server["url"]
    page = context.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")

    # The first post reaches the server, and the answer is lost on the way back.
    def lose_the_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        route.fetch()
        route.abort("connectionreset")

    page.route("**/laporan/baru/", lose_the_answer)
    fill_report(page, "Jawabannya hilang di jalan")
    client_id = page.input_value("input[name=client_id]")
    page.click("#report-form button[type=submit]")
    wait_for_count(page, 1)  # kept on the phone: the page could not know it arrived
    assert on_server(demo_server, [client_id]) == {client_id: 1}
    page.unroute("**/laporan/baru/")

    page.evaluate("window.dispatchEvent(new Event('online'))")  # as when the signal returns
    wait_for_count(page, 0)
    assert on_server(demo_server, [client_id]) == {client_id: 1}

    # Sent three times at once (two tabs and the worker, say): still one report.
    context.set_offline(True)
    fill_report(page, "Tiga kali sekaligus")
    page.click("#report-form button[type=submit]")
    wait_for_count(page, 1)
    (item,) = outbox(page)
    context.set_offline(False)
    outcomes = page.evaluate(
        """id => PantauOutbox.get(id).then(item => Promise.all(
            [1, 2, 3].map(() => PantauOutbox.send(item, '/masuk/').then(r => r.outcome))))""",
        item["client_id"],
    )
    assert outcomes == ["sent", "sent", "sent"]
    assert on_server(demo_server, [item["client_id"]]) == {item["client_id"]: 1}
    wait_for_count(page, 0)
    context.close()


def test_a_report_the_server_refuses_stays_on_the_phone_with_its_message(demo_server, phone):
    url = demo_server["url"]
    page = phone.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")
    phone.set_offline(True)
    fill_report(page, "Wilayahnya salah")
    page.click("#report-form button[type=submit]")
    wait_for_count(page, 1)
    (item,) = outbox(page)
    # Spoil it the way an old copy could be spoiled: a region no longer the account's.
    page.evaluate(
        """id => PantauOutbox.get(id).then(item => {
            item.entries = item.entries.map(([k, v]) => [k, k === 'region' ? '35.13.23' : v]);
            return PantauOutbox.put(item);
        })""",
        item["client_id"],
    )
    phone.set_offline(False)
    page.wait_for_selector("#outbox-items li.is-failed .error")
    (failed,) = outbox(page)
    assert failed["state"] == "failed" and failed["error"]["fields"]
    assert count(page) == 1  # never dropped by the script
    assert page.locator("#outbox-items li.is-failed").is_visible()
    # The server names the field as posted (the API's error shape); the phone shows its label.
    assert set(failed["error"]) == {"detail", "code", "fields"}
    assert set(failed["error"]["fields"]) == {"region"}
    assert "Wilayah: " in page.inner_text("#outbox-items li.is-failed")
    page.screenshot(path=ARTIFACTS / "offline-refused-360.png", full_page=True)
    assert on_server(demo_server, [item["client_id"]]) == {item["client_id"]: 0}

    page.once("dialog", lambda dialog: dialog.accept())  # "delete it from this phone?"
    page.click("#outbox-items [data-outbox-delete]")
    wait_for_count(page, 0)


def test_logging_out_deletes_the_kept_pages_but_not_what_waits(demo_server, phone):
    url = demo_server["url"]
    page = phone.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")
    wait_for_worker(page)
    phone.set_offline(True)
    fill_report(page, "Menunggu pemiliknya")
    page.click("#report-form button[type=submit]")
    wait_for_count(page, 1)
    # Signal again, but the report cannot get through (for the page and the worker alike).
    phone.route("**/laporan/baru/", lambda route: route.abort("internetdisconnected"))
    phone.set_offline(False)

    page.click("#menu > summary")  # on a phone, log out is in the header's menu
    page.click("form[data-logout] button")
    page.wait_for_url("**/masuk/**")
    names = "caches.keys()"
    wait_for(lambda: "pantau-pages" not in page.evaluate(names), message="pages deleted")
    assert any(n.startswith("pantau-shell-") for n in page.evaluate(names))
    assert len(outbox(page)) == 1  # it belongs to its account: sent when they log in again
    phone.unroute("**/laporan/baru/")

    log_in(page, url)  # the home page of a field role sends what waits
    wait_for_count(page, 0)
    page.close()


def test_with_signal_the_form_is_sent_at_once_and_errors_come_back_in_place(demo_server, phone):
    url = demo_server["url"]
    page = phone.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")
    fill_report(page, "Dikirim dengan sinyal")
    page.fill("input[name=tps]", "abc")  # the server's check: a number from 1 to 999
    page.set_input_files("input[name=photos]", files=[PHOTO])
    client_id = page.input_value("input[name=client_id]")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-form .has-error input[name=tps]")
    assert page.url == url + "/laporan/baru/"  # the form came back in place
    assert page.evaluate("document.querySelector('input[name=photos]').files.length") == 1
    assert page.input_value("input[name=client_id]") == client_id
    assert count(page) == 0 and outbox(page) == []

    page.fill("input[name=tps]", "3")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/laporan/\d+/$"))
    assert page.locator("[data-flash]").count() == 1  # "report sent", on the report's page
    assert on_server(demo_server, [client_id]) == {client_id: 1}
    assert photos_on_server(demo_server, client_id) == 1


def test_without_signal_a_stage_whose_questions_are_not_kept_is_not_chosen(demo_server, phone):
    url = demo_server["url"]
    page = phone.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")
    wait_for_worker(page)
    stages = page.eval_on_selector_all("select[name=stage] option", "o => o.map(e => e.value)")
    before = page.input_value("select[name=stage]")
    other = next(v for v in stages if v and v != before)
    legend = page.inner_text("#questions legend")

    phone.set_offline(True)
    page.select_option("select[name=stage]", other)
    wait_js(page, f"document.querySelector('select[name=stage]').value === '{before}'")
    assert page.inner_text("#questions legend") == legend  # questions and stage still match
    assert page.locator("#outbox").is_visible()

    phone.set_offline(False)  # with signal the questions come, and are kept for next time
    page.select_option("select[name=stage]", other)
    wait_js(page, f"document.querySelector('#questions legend')?.innerText !== {legend!r}")
    swapped = page.inner_text("#questions legend")
    page.select_option("select[name=stage]", before)
    wait_js(page, f"document.querySelector('#questions legend')?.innerText === {legend!r}")
    phone.set_offline(True)
    page.select_option("select[name=stage]", other)
    wait_js(page, f"document.querySelector('#questions legend')?.innerText === {swapped!r}")


def transferred(request) -> int:
    """Bytes on the wire for one request: its answer's headers and (compressed) body.

    Where Playwright does not know the body's size (negative: the worker's importScripts), the
    whole uncompressed body is counted; a 0 for an answer with a length and no encoding (the
    worker script) counts that length. Revalidations (304) count their headers."""
    sizes = request.sizes()
    body = sizes["responseBodySize"]
    response = request.response()
    if response and body < 0:
        body = len(response.body())
    elif response and not body and response.status == 200:
        headers = response.headers
        if "content-encoding" not in headers:
            body = int(headers.get("content-length") or 0)
    return sizes["responseHeadersSize"] + max(body, 0)


def test_the_report_form_is_light_on_its_first_load(demo_server, phone):
    ARTIFACTS.mkdir(exist_ok=True)
    url = demo_server["url"]
    # Log in without loading a page, so that the form's own load starts with an empty cache.
    login_page = phone.request.get(url + "/masuk/").text()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    phone.request.post(
        url + "/masuk/",
        form={"csrfmiddlewaretoken": token, "username": DESA, "password": "pantau-demo"},
        headers={"Referer": url + "/masuk/"},
    )
    finished = []
    phone.on("requestfinished", lambda request: finished.append(request))
    page = phone.new_page()
    page.goto(url + "/laporan/baru/", wait_until="load")
    on_load = list(finished)
    wait_for_worker(page)  # then the worker installs and keeps the field pages
    time.sleep(1)
    first_load = sum(transferred(r) for r in on_load)
    with_worker = sum(transferred(r) for r in finished)
    lines = [f"{transferred(r):>7} {r.method} {r.url.removeprefix(url)}" for r in finished]
    lines += [f"page load: {first_load} bytes", f"with the worker's install: {with_worker} bytes"]
    (ARTIFACTS / "first-load-report-form.txt").write_text("\n".join(lines) + "\n")
    # under its hashed name (pantau.lib.storage.StaticStorage)
    assert any(re.search(r"/htmx-2\.min\.[0-9a-f]{12}\.js$", r.url) for r in on_load)
    assert first_load < BUDGET, lines
    assert with_worker < BUDGET, lines
