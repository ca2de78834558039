"""The dashboard in a real browser (Debian's chromium, Playwright) against `pantau demo` on
127.0.0.1: the Pj Bupati, an Asisten and a camat each see exactly their territory on the map and
in the panels, on a desk screen and on a phone. Screenshots go to test-artifacts/."""

import pytest

from pantau.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PEMKESRA = [
    "Bantaran",
    "Kuripan",
    "Lumbang",
    "Sukapura",
    "Sumber",
    "Sumberasih",
    "Tongas",
    "Wonomerto",
]


def log_in(page, url, username):
    page.goto(url + "/masuk/?next=/dasbor/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pantau-demo")
    page.click("button[type=submit]")
    page.wait_for_url(url + "/dasbor/")


def drawn(page, count):
    """Wait for the map to draw its areas; return the codes of the polygons drawn."""
    page.wait_for_selector(f'#map[data-drawn="{count}"]', timeout=15000)
    return page.evaluate(
        "[...document.querySelectorAll('#map path.region-child')].map(p => p.dataset.code)"
    )


def listed(page):
    return page.evaluate(
        "[...document.querySelectorAll('#children .kid')].map(li => li.dataset.code)"
    )


def kid_names(page):
    return page.evaluate(
        "[...document.querySelectorAll('#children .kid-name')].map(a => a.textContent.trim())"
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


CASES = [
    ("bupati", 24, "kecamatan", 3),
    ("asisten-pemkesra", 8, "kecamatan", 1),
    ("camat-tongas", 14, "desa", 1),
]


@pytest.mark.parametrize("username, count, level, clusters", CASES)
def test_the_dashboard_shows_exactly_the_territory(
    demo_server, browser, phone, username, count, level, clusters
):
    ARTIFACTS.mkdir(exist_ok=True)
    url = demo_server["url"]
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = desk.new_page()
        log_in(page, url, username)
        codes = drawn(page, count)
        assert len(codes) == count
        assert page.locator(f"#map path.{level}").count() == count
        assert sorted(codes) == sorted(listed(page))
        assert page.locator("#clusters .cluster").count() == clusters
        if username == "asisten-pemkesra":
            assert sorted(kid_names(page)) == PEMKESRA
        if username == "camat-tongas":
            assert all(code.startswith("35.13.23.") for code in codes)
            rows = page.locator("#clusters tr[data-code]")
            assert rows.count() == 1 and rows.first.get_attribute("data-code") == "35.13.23"
        else:
            assert page.locator("#clusters tr[data-code]").count() == count
        # The panels refresh by htmx every minute, the map by its own script.
        assert page.get_attribute("#panels", "hx-trigger") == "every 60s"
        page.screenshot(path=ARTIFACTS / f"dashboard-{username}-1280.png", full_page=True)

        if username == "bupati":  # a click on a kecamatan drills down to its villages
            page.locator('#map path[data-code="35.13.23"]').click()
            panel = page.locator('.area-panel[data-code="35.13.23"]')
            panel.wait_for()
            page.wait_for_timeout(500)  # the popup's fade and the map's pan to show it whole
            with page.expect_navigation(url="**/dasbor/?region=35.13.23", timeout=60000):
                panel.locator("a").click()
            assert len(drawn(page, 14)) == 14
            page.screenshot(path=ARTIFACTS / "dashboard-bupati-tongas-1280.png", full_page=True)
        page.close()
    finally:
        desk.close()

    page = phone.new_page()
    log_in(page, url, username)
    assert len(drawn(page, count)) == count
    assert len(listed(page)) == count
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / f"dashboard-{username}-360.png", full_page=True)
    page.close()


def test_a_camat_cannot_open_another_kecamatan(demo_server, phone):
    page = phone.new_page()
    log_in(page, demo_server["url"], "camat-tongas")
    response = page.goto(demo_server["url"] + "/dasbor/?region=35.13.12")
    assert response.status == 404
    page.close()
