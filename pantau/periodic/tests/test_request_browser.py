"""Requesting a report in a browser, as the Pj Bupati and a camat, on a phone and a desk screen:
one choice of what it covers, and the files appear on the page when ready, without a reload."""

import os
from pathlib import Path

import pytest

from pantau.tests.test_csp_browser import WATCH

SIZES = {"phone": (360, 740), "desk": (1366, 768)}


@pytest.mark.parametrize(
    "username,target", [("bupati", "kabupaten:35.13"), ("camat-tiris", "kecamatan:35.13.07")]
)
@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_report_is_requested_once_and_shows_up_when_ready(
    demo_server, browser, tmp_path, username, target, size
):
    shots = Path(os.environ.get("PANTAU_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(WATCH)
    page = context.new_page()
    url = demo_server["url"]
    page.goto(url + "/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pantau-demo")
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")

    page.goto(url + "/laporan-berkala/")
    page.click("details.card summary")
    # one list says what the report covers; no second choice of scope or region
    assert page.locator("select[name=target]").count() == 1
    assert page.locator("select[name=scope], select[name=region]").count() == 0
    values = page.eval_on_selector_all("select[name=target] option", "os => os.map(o => o.value)")
    assert target in values
    if username.startswith("camat"):
        assert values == [target]  # a camat reports on their own kecamatan only
    page.select_option("select[name=target]", target)
    page.fill("#id_period_start", "2024-11-27")
    page.fill("#id_period_end", "2024-11-28")
    page.screenshot(path=str(shots / f"request-{username}-{size}.png"), full_page=True)
    page.click("form.request button[type=submit]")
    page.wait_for_url("**/laporan-berkala/*/")
    page.evaluate("window.__notReloaded = true")  # gone if the page were loaded again
    panel = page.locator("#periodic-panel")
    panel.locator("a", has_text="PDF").wait_for(timeout=60000)
    assert page.evaluate("window.__notReloaded === true")
    assert panel.get_attribute("data-status") == "draft"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("window.__csp") == []
    page.screenshot(path=str(shots / f"ready-{username}-{size}.png"), full_page=True)
    context.close()
