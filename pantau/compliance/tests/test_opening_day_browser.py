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
# Every select of the filters is wide enough for the option it shows (measured in its own font,
# less room for the arrow).
CHOICES_READ_WHOLE = """() => [...document.querySelectorAll('.filters select')].every(s => {
    const style = getComputedStyle(s), pen = document.createElement('canvas').getContext('2d');
    pen.font = style.font;
    const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return pen.measureText(s.options[s.selectedIndex].text).width <= room - 20;
})"""


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
    # the latest of those days that expects reports: 28 November (the dashboard's day, the
    # 29th, is in the recapitulation, when no report is due)
    compliance_day = page.locator("[data-opening-day]").get_attribute("data-opening-day")
    assert compliance_day == "2024-11-28" <= day
    assert NOTICE in page.locator("[data-opening-day]").inner_text()
    # trouble first: the summary, then the kecamatan with the most missing, the rest behind a tap
    order = page.evaluate(
        """() => {
            const top = e => e ? e.getBoundingClientRect().top + window.scrollY : null;
            const rows = [...document.querySelectorAll('#compliance-result > .comp-wrap tbody tr')];
            return {
                summary: top(document.querySelector('[data-summary]')),
                table: top(document.querySelector('#compliance-result .comp')),
                missing: rows.map(r => +r.querySelector('td.miss').textContent),
                complete: document.querySelectorAll('.comp-complete tbody tr').length,
                open: document.querySelector('.comp-complete').open,
                height: document.documentElement.scrollHeight,
            };
        }"""
    )
    assert order["summary"] < order["table"]
    assert order["missing"] and order["missing"] == sorted(order["missing"], reverse=True)
    assert min(order["missing"]) > 0 and order["complete"] > 0 and not order["open"]
    assert len(order["missing"]) + order["complete"] == 24
    page.locator(".filters-box > summary").click()  # the filters fit: each choice reads whole
    assert page.evaluate(CHOICES_READ_WHOLE), "a filter's chosen option is cut"
    page.screenshot(path=shots / f"opening-kepatuhan-bupati-{size}.png", full_page=True)
    assert not serious_violations(page)
    fit = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth <= window.innerWidth,
            boxes: [...document.querySelectorAll('.comp-wrap')].every(
                b => b.scrollWidth <= b.clientWidth + 1),
            lines: [...document.querySelectorAll('#compliance-result > .comp-wrap tbody tr')].map(
                tr => ({text: tr.querySelector('.phone-line').innerText,
                        height: tr.getBoundingClientRect().height})),
        })"""
    )
    assert fit["page"]
    if small:  # each kecamatan two short lines, its figures in words; nothing scrolls
        assert fit["boxes"] and fit["lines"]
        assert all("diterima" in line["text"] for line in fit["lines"]), fit["lines"]
        assert all(line["height"] <= 72 for line in fit["lines"]), fit["lines"]
    if small:  # compact: the 24 kecamatan do not make a long page (the list of who is
        # missing, 50 a page with call buttons, is most of it)
        page.locator(".comp-complete > summary").click()
        assert page.locator(".comp-complete").get_attribute("open") is not None
        page.screenshot(path=shots / f"kepatuhan-complete-open-{size}.png", full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # an explicit day wins, and nothing is said
    page.goto(fresh_demo["url"] + "/kepatuhan/?date=2024-11-27")
    assert page.locator("[data-opening-day]").count() == 0
    context.close()
