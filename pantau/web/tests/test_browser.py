"""Real browser: Debian's chromium driven by Playwright, against `pantau serve` on 127.0.0.1,
on the screen of a cheap phone (360 px wide)."""

import pytest

from pantau.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_camat_tongas_logs_in_on_a_phone_and_sees_tongas_only(demo_server, phone):
    ARTIFACTS.mkdir(exist_ok=True)
    page = phone.new_page()
    page.goto(demo_server["url"] + "/")
    assert "/masuk/" in page.url
    assert page.locator("h1").inner_text() == "Masuk"
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "login-360.png", full_page=True)

    page.fill("#id_username", "camat-tongas")
    page.fill("#id_password", "pantau-demo")
    page.click("button[type=submit]")
    page.wait_for_url(demo_server["url"] + "/")
    body = page.locator("main").inner_text()
    assert "Kecamatan Tongas" in body and "Paiton" not in body
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "home-camat-tongas-360.png", full_page=True)

    page.click("h3 a")  # the kecamatan heading
    page.wait_for_url("**/wilayah/35.13.23/")
    assert "Camat Tongas" in page.locator("main").inner_text()
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "kecamatan-tongas-360.png", full_page=True)

    response = page.goto(demo_server["url"] + "/wilayah/35.13.12/")
    assert response.status == 404
    page.close()


def test_the_pj_bupati_sees_the_three_clusters_on_a_phone(demo_server, phone):
    page = phone.new_page()
    page.goto(demo_server["url"] + "/masuk/")
    page.fill("#id_username", "bupati")
    page.fill("#id_password", "pantau-demo")
    page.click("button[type=submit]")
    page.wait_for_url(demo_server["url"] + "/")
    assert page.locator("section.card h3").count() == 3
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "home-bupati-360.png", full_page=True)
    page.close()
