"""The audit page on the screen of a cheap phone (360 px), in Debian's chromium."""

import pytest

from pantau.conftest import ARTIFACTS
from pantau.web.tests.test_browser import no_sideways_scroll

pytestmark = pytest.mark.browser


def test_the_pj_bupati_reads_and_filters_the_log_on_a_phone(demo_server, phone):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page = phone.new_page()
    page.goto(demo_server["url"] + "/masuk/?next=/audit/")
    page.fill("#id_username", "bupati")
    page.fill("#id_password", "pantau-demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/audit/")
    entries = page.locator("article.audit-entry")
    assert entries.count() > 0
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "audit-bupati-360.png", full_page=True)

    page.click(".audit-filters > summary")
    page.fill("#id_action", "instruction")
    page.click("button.primary")
    page.wait_for_url("**/audit/?*action=instruction*")
    actions = page.eval_on_selector_all(
        "article.audit-entry", "els => els.map(e => e.dataset.action)"
    )
    assert actions and all(a.startswith("instruction.") for a in actions)
    assert no_sideways_scroll(page)

    page.goto(demo_server["url"] + "/audit/?date_from=30-02-2024")
    assert page.locator("[role=alert]").count() == 1
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "audit-bad-filter-360.png", full_page=True)
    page.close()
