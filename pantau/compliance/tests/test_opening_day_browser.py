"""The desk opens on the operation's latest day with data when today is outside its stages
(the demo's Pilkada 2024 is over), and says so; on a phone the compliance rows read as small
cards (no figure column scrolls sideways). Its own `pantau demo`: no problem reported today."""

import os
from pathlib import Path

import pytest

from pantau.conftest import running_demo
from pantau.dashboard.tests.test_desk_at_a_glance_browser import DESK, PHONE, log_in
from pantau.web.tests.a11y import serious_violations

NOTICE = "Hari ini di luar tahapan"


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("opening-demo")) as server:
        yield server


@pytest.fixture
def shots(tmp_path) -> Path:
    path = Path(os.environ.get("PANTAU_SHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1366", "360"])
def test_the_desk_opens_on_the_latest_day_and_says_so(fresh_demo, browser, shots, viewport):
    small = viewport == PHONE
    options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if small else {}
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    size = "360" if small else "1366"
    log_in(page, fresh_demo["url"], "bupati")
    page.wait_for_selector("#map[data-drawn]", timeout=15000)
    notice = page.locator("[data-opening-day]")
    assert NOTICE in notice.inner_text()
    day = notice.get_attribute("data-opening-day")
    page.screenshot(path=shots / f"opening-dashboard-bupati-{size}.png", full_page=True)
    assert not serious_violations(page)

    page.goto(fresh_demo["url"] + "/kepatuhan/")
    assert page.locator("[data-opening-day]").get_attribute("data-opening-day") == day
    assert NOTICE in page.locator("[data-opening-day]").inner_text()
    page.screenshot(path=shots / f"opening-kepatuhan-bupati-{size}.png", full_page=True)
    assert not serious_violations(page)
    fit = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth <= window.innerWidth,
            boxes: [...document.querySelectorAll('.comp-wrap')].every(
                b => b.scrollWidth <= b.clientWidth + 1),
            labels: [...document.querySelectorAll('.comp tbody td[data-label]')].map(
                td => getComputedStyle(td, '::before').content),
        })"""
    )
    assert fit["page"]
    if small:  # every figure under its label, nothing scrolls inside its box
        assert fit["boxes"] and fit["labels"]
        assert all(label not in ("none", "normal", '""') for label in fit["labels"])
    # an explicit day wins, and nothing is said
    page.goto(fresh_demo["url"] + "/kepatuhan/?date=2024-11-27")
    assert page.locator("[data-opening-day]").count() == 0
    context.close()
