"""The desk read at a glance, in Debian's chromium at 1366x768 and 360x740, as the Pj Bupati,
an Asisten and a camat: the names on the map, a tap that opens an area's panel, the lists with
the areas in trouble first, a header of one short row on a phone, nothing scrolling sideways,
and no serious or critical axe-core violation on the desk's pages.

The areas in trouble are made in the test: a critical problem in Tongas (rawan) and a high one
in Wonomerto (waspada), created through the actions by their camat in `pantau demo`'s database.
Screenshots go to $PANTAU_SHOTS (or the test's tmp_path)."""

import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from pantau.conftest import pantau_script
from pantau.web.tests.a11y import serious_violations

pytestmark = pytest.mark.browser

TONGAS = "35.13.23"
SEED = """
import uuid
from django.contrib.auth import get_user_model
from pantau.instruction.models import Category
from pantau.problems.actions import do_create_problem
from pantau.regions.models import Region

users = get_user_model().objects
category = Category.objects.order_by("order", "pk").first()
for username, kecamatan, severity in [
    ("camat-tongas", "Tongas", "kritis"),
    ("camat-wonomerto", "Wonomerto", "tinggi"),
]:
    village = Region.objects.filter(parent__name=kecamatan, level="desa").order_by("code").first()
    problem, _ = do_create_problem(
        acting_user=users.get(username=username),
        client_id=uuid.uuid4(),
        region=village,
        title="Kotak suara rusak di " + village.name,
        category=category,
        severity=severity,
    )
    print("problem", problem.pk)
"""
RANK = {"rawan": 0, "waspada": 1, "aman": 2, "unknown": 3}
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
ROLES = [("bupati", 24), ("asisten-pemkesra", 8), ("camat-tongas", 14)]


@pytest.fixture(scope="module")
def desk(demo_server):
    """`pantau demo` with the test's two areas in trouble; the ids of their problems."""
    done = subprocess.run(
        [pantau_script(), "shell", "-c", SEED],
        env=demo_server["env"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    ids = [int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("problem ")]
    return {**demo_server, "problems": ids}


@pytest.fixture
def shots(tmp_path) -> Path:
    path = Path(os.environ.get("PANTAU_SHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_in(page, url, username, then="/dasbor/"):
    page.goto(f"{url}/masuk/?next={quote(then)}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pantau-demo")
    page.click("button[type=submit]")
    page.wait_for_url(url + then)


def drawn(page, count):
    page.wait_for_selector(f'#map[data-drawn="{count}"]', timeout=15000)


def trouble_key(row: dict) -> tuple:
    return (RANK[row["situation"]], -int(row["overdue"]), -int(row["open"]))


def rows(page, selector: str) -> list[dict]:
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].map(el => ({
            code: el.dataset.code, situation: el.dataset.situation,
            open: el.dataset.open, overdue: el.dataset.overdue,
        }))""",
        selector,
    )


def looks(page) -> dict:
    """What the eye measures: sideways scroll, the header's height."""
    return page.evaluate(
        """() => ({
            wide: document.documentElement.scrollWidth, inner: window.innerWidth,
            header: document.querySelector('header.bar').getBoundingClientRect().height,
        })"""
    )


def assert_no_serious_violations(page, where):
    found = serious_violations(page)
    assert not found, f"{where}:\n" + "\n".join(found)


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1366", "360"])
@pytest.mark.parametrize("username, count", ROLES)
def test_the_dashboard_reads_at_a_glance(desk, browser, shots, username, count, viewport):
    small = viewport == PHONE
    options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if small else {}
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    log_in(page, desk["url"], username)
    drawn(page, count)

    # The names on the map: every area's; a name gives way only to one it would overlap, of an
    # area in the same or worse trouble.
    kids = page.evaluate(
        "[...document.querySelectorAll('#children .kid-name')].map(a => a.textContent.trim())"
    )
    labels = page.evaluate(
        "[...document.querySelectorAll('#map .area-label')].map(l => ({"
        " name: l.textContent.trim(), shown: l.dataset.shown,"
        " trouble: /label-(rawan|waspada)/.test(l.className) }))"
    )
    assert sorted(label["name"] for label in labels) == sorted(kids)
    hidden_by_better = page.evaluate(
        """() => {
            const rank = l => ['rawan', 'waspada', 'aman', 'unknown']
                .findIndex(s => l.classList.contains('label-' + s));
            const all = [...document.querySelectorAll('#map .area-label')];
            const shown = all.filter(l => l.dataset.shown === 'true');
            const meets = (a, b) => a.left < b.right && a.right > b.left
                && a.top < b.bottom && a.bottom > b.top;
            return all.filter(l => l.dataset.shown !== 'true').map(l => {
                const r = l.getBoundingClientRect();
                return shown.some(k => rank(k) <= rank(l)
                    && meets(r, k.getBoundingClientRect()));
            });
        }"""
    )
    assert all(hidden_by_better), labels
    if username != "camat-tongas":
        assert "Tongas" in [label["name"] for label in labels if label["trouble"]]
    # A second cue beside the colour: rawan areas are hatched, waspada dotted.
    fills = page.evaluate(
        "[...document.querySelectorAll('#map path.region-child')]"
        ".map(p => [p.dataset.situation, p.getAttribute('fill')])"
    )
    for situation, fill in fills:
        if situation in ("rawan", "waspada"):
            assert fill == f"url(#pat-{situation})"

    # Trouble first: the list and each cluster table by situation, then overdue, then open.
    kid_rows = rows(page, "#children .kid")
    assert kid_rows == sorted(kid_rows, key=trouble_key)
    if username != "camat-tongas":
        assert kid_rows[0]["situation"] == "rawan"
        assert next(r for r in kid_rows if r["code"] == TONGAS)["situation"] == "rawan"
    for cluster in page.eval_on_selector_all(
        "#clusters .cluster", "els => els.map(el => el.dataset.cluster)"
    ):
        table = rows(page, f'#clusters .cluster[data-cluster="{cluster}"] tbody tr')
        assert table and table == sorted(table, key=trouble_key)
    # Every figure with its words: no bare "0/0/0/0", categories by name.
    body = page.inner_text("#panels")
    assert "0/0/0/0" not in body and "politik-uang:" not in body

    seen = looks(page)
    assert seen["wide"] <= seen["inner"], seen
    assert seen["header"] <= (64 if small else 100), seen
    assert_no_serious_violations(page, f"dashboard {username} {viewport['width']}")
    page.screenshot(path=shots / f"dashboard-{username}-{viewport['width']}.png", full_page=True)

    # A tap on an area opens its panel: situation, figures in words, the link to drill down.
    code = TONGAS if username != "camat-tongas" else kid_rows[0]["code"]
    page.locator(f'#map path[data-code="{code}"]').click()
    panel = page.locator(f'.area-panel[data-code="{code}"]')
    panel.wait_for()
    page.wait_for_timeout(500)  # the popup's fade and the map's pan to show it whole
    text = panel.inner_text()
    assert "terbuka" in text and "lewat tenggat" in text and "pelaporan" in text
    link = panel.locator("a").bounding_box()  # nothing of the map lies over the panel's link
    for x in (link["x"] + 4, link["x"] + link["width"] - 4):
        over = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y);"
            " return e.closest('.area-panel') ? '' : e.outerHTML.slice(0, 80); }",
            [x, link["y"] + link["height"] / 2],
        )
        assert not over, f"the panel's link is covered by {over}"
    page.screenshot(path=shots / f"dashboard-{username}-{viewport['width']}-panel.png")
    if username == "bupati":
        panel.locator("a").click()
        page.wait_for_url(f"**/dasbor/?region={TONGAS}")
        drawn(page, 14)
        villages = page.evaluate(
            "[...document.querySelectorAll('#map .area-label')].map(l => l.textContent.trim())"
        )
        assert len(villages) == 14
        assert looks(page)["wide"] <= looks(page)["inner"]
        page.screenshot(path=shots / f"dashboard-bupati-tongas-{viewport['width']}.png")
    context.close()


def test_the_phone_header_is_one_short_row_with_a_menu(desk, phone, shots):
    page = phone.new_page()
    log_in(page, desk["url"], "bupati", then="/")
    assert looks(page)["header"] <= 64
    assert not page.locator("nav.nav a").first.is_visible()
    page.click("#menu > summary")
    page.locator("nav.nav a").first.wait_for()
    page.screenshot(path=shots / "menu-bupati-360.png")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll(
              'header a, header button, header summary')].map(el => {
            const r = el.getBoundingClientRect();
            return {text: el.textContent.trim(), top: r.top, bottom: r.bottom, height: r.height,
                    logout: !!el.closest('[data-logout]')};
        })"""
    )
    assert all(b["height"] >= 44 for b in boxes), boxes
    logout = next(b for b in boxes if b["logout"])
    nearest = min(abs(logout["top"] - b["bottom"]) for b in boxes if not b["logout"])
    assert nearest >= 12, (logout, boxes)  # not packed against another link
    assert looks(page)["wide"] <= looks(page)["inner"]
    page.keyboard.press("Escape")
    assert not page.locator("nav.nav a").first.is_visible()


PAGES = [
    ("bupati", "/"),
    ("bupati", "/kepatuhan/"),
    ("bupati", "/masalah/"),
    ("bupati", "/masalah/{problem}/"),
    ("bupati", "/laporan/"),
    ("bupati", "/laporan-berkala/"),
    ("bupati", "/audit/"),
    ("bupati", "/notifikasi/"),
    ("asisten-pemkesra", "/kepatuhan/"),
    ("bupati", "/kepatuhan/?since=2024-11-26&until=2024-11-27"),  # who has not reported
    ("camat-tongas", "/"),
    ("camat-tongas", "/laporan/baru/"),
    ("camat-tongas", "/masalah/baru/"),
    ("camat-tongas", "/masalah/{problem}/"),
    ("camat-tongas", "/kepatuhan/"),
    ("camat-tongas", "/akun/profil/"),  # rank and NIP for the signature block
]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1366", "360"])
@pytest.mark.parametrize("username, path", PAGES)
def test_every_desk_page_fits_and_passes_axe(desk, browser, shots, username, path, viewport):
    small = viewport == PHONE
    options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if small else {}
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    url = path.format(problem=desk["problems"][0])
    log_in(page, desk["url"], username, then=url)
    page.wait_for_load_state("networkidle")
    seen = looks(page)
    assert seen["wide"] <= seen["inner"], (url, seen)
    assert seen["header"] <= (64 if small else 100), (url, seen)
    assert_no_serious_violations(page, f"{url} {username} {viewport['width']}")
    if url.startswith("/kepatuhan/"):  # trouble first: the summary, then the most missing
        missing = page.eval_on_selector_all(
            "#compliance-result > .comp-wrap tbody td.miss", "tds => tds.map(t => +t.textContent)"
        )
        assert missing == sorted(missing, reverse=True), (url, missing)
        # the summary, or (a day of no rule: the test's problems keep the page on today)
        # the sentence that says no report is expected
        result = page.inner_text("#compliance-result")
        assert page.locator("[data-summary]").count() or "tidak mewajibkan laporan" in result
    name = url.split("?")[0].strip("/").replace("/", "-") or "home"
    name += "-period" if "?" in url else ""
    page.screenshot(path=shots / f"page-{name}-{username}-{viewport['width']}.png", full_page=True)
    context.close()
