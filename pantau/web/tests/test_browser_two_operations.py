"""Real browser, two operations active (the Pilkada 2024 and the invented Pilkades 2025 beside
it): the report form of a camat in the Pilkades preselects the Pilkades' stage, and each stage
says whose it is; a camat outside it sees the Pilkada's. On its own `pantau demo` (the session's
demo server keeps one operation for the other walks)."""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from pantau.conftest import pantau_script, running_demo
from pantau.instruction.loader import PILKADES
from pantau.web.tests.test_offline import fill_report

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def two_operations(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("two-operations")) as server:
        load = [pantau_script(), "loadinstruction", str(PILKADES)]
        subprocess.run(load, env=server["env"], check=True)
        time.sleep(11)  # the server's kept copy of the operations (monitoring/lookups.py TTL)
        yield server["url"]


def shots() -> Path:
    path = Path(os.environ.get("PANTAU_SHOTS") or "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_in(page, url, username):
    page.goto(url + "/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pantau-demo")
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


@pytest.mark.parametrize("width,height", [(360, 740), (1366, 768)])
def test_the_form_follows_the_senders_operation(two_operations, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log_in(page, two_operations, "camat-tongas")
    page.goto(two_operations + "/laporan/baru/")
    chosen = page.locator("#id_stage option:checked")
    group = chosen.evaluate("o => o.parentElement.label")
    assert "Pilkades" in group, group  # now is nearest the Pilkades, in Tongas
    groups = page.locator("#id_stage optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert len(groups) == 2 and any("Pilkada Serentak 2024" in g for g in groups)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=shots() / f"form-two-operations-tongas-{width}.png", full_page=True)
    # sent through the page's script (the PWA's outbox, page mode): stored in the Pilkades
    fill_report(page, f"Laporan dua operasi {width}")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/laporan/\d+/$"))
    assert "Pilkades" in page.locator("main").inner_text()
    page.screenshot(path=shots() / f"report-two-operations-tongas-{width}.png", full_page=True)
    # the problem form groups its stages as the report form does
    page.goto(two_operations + "/masalah/baru/")
    groups = page.locator("#id_stage optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert len(groups) == 2, groups
    group = page.locator("#id_stage option:checked").evaluate("o => o.parentElement.label")
    assert "Pilkades" in group, group
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=shots() / f"problem-form-two-operations-{width}.png", full_page=True)
    context.close()

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log_in(page, two_operations, "camat-sukapura")
    page.goto(two_operations + "/laporan/baru/")
    group = page.locator("#id_stage option:checked").evaluate("o => o.parentElement.label")
    assert "Pilkada Serentak 2024" in group, group  # Sukapura holds no Pilkades
    page.screenshot(path=shots() / f"form-two-operations-sukapura-{width}.png", full_page=True)
    context.close()


@pytest.mark.parametrize("width,height", [(360, 740), (1366, 768)])
def test_the_dashboard_follows_the_operation(two_operations, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log_in(page, two_operations, "bupati")
    page.goto(two_operations + "/dasbor/")
    chooser = page.locator("nav.operations")
    current = chooser.locator("[aria-current]").inner_text()
    assert "Pilkades" in current, current  # today is nearest the Pilkades
    assert page.locator("[data-cluster]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#map path").first.wait_for()
    page.screenshot(path=shots() / f"dashboard-two-operations-pilkades-{width}.png")
    chooser.locator("a").first.click()
    page.wait_for_url("**operation=pilkada-2024-probolinggo**")
    assert "Pilkada Serentak 2024" in page.locator("nav.operations [aria-current]").inner_text()
    assert page.locator("[data-cluster]").count() == 3
    assert "filter aktif" not in page.locator("details.dash-filter-box summary").inner_text()
    page.locator("#map path").first.wait_for()  # the map drawn before the picture
    page.screenshot(path=shots() / f"dashboard-two-operations-pilkada-{width}.png")
    page.goto(two_operations + "/kepatuhan/?date=2024-11-27")  # the day asked is the Pilkada's
    assert "Pilkada Serentak 2024" in page.locator("nav.operations [aria-current]").inner_text()
    page.screenshot(path=shots() / f"compliance-two-operations-{width}.png")
    context.close()
