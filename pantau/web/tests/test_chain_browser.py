"""The chain of responsibility walked in a real browser (Debian's chromium, Playwright) against
`pantau demo`, on a phone (360x740) and on a desk screen (1366x768): a village files a tinggi
problem in Ngadisari, its camat finds it waiting and notified, verifies it and refers it to
Dinkes and to Bawaslu, who answer; the camat forwards it to the Asisten named on the button,
the Asisten to the Pj Bupati. A kritis problem reaches the Pj Bupati at once.

Screenshots go to $PANTAU_SHOTS (or the test's tmp directory)."""

import os
import re
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SIZES = {"360": {"width": 360, "height": 740}, "1366": {"width": 1366, "height": 768}}
ASISTEN = "Asisten Pemerintahan dan Kesejahteraan Rakyat"  # Sukapura's cluster
BUPATI = "Penjabat Bupati Probolinggo"


class Walk:
    """One person's browser on one screen size, counting the taps they make."""

    def __init__(self, browser, server, size, shots: Path):
        self.browser, self.url, self.size, self.shots = browser, server["url"], size, shots
        self.taps = 0
        self.context = None

    def as_(self, username):
        if self.context:
            self.context.close()
        phone = self.size == "360"
        self.context = self.browser.new_context(
            viewport=SIZES[self.size],
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
        )
        self.page = self.context.new_page()
        self.page.goto(self.url + "/masuk/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "pantau-demo")
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.url + "/")
        self.username = username
        return self.page

    def tap(self, selector):
        self.taps += 1
        self.page.locator(selector).first.click()

    def shot(self, name):
        path = self.shots / f"{name}-{self.size}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def main(self) -> str:
        return self.page.locator("main").inner_text()

    def act(self, action, note="", **fields):
        """Open an action on the problem page, fill it and send it (htmx swaps the panel)."""
        self.tap(f"details[data-action={action}] summary")
        form = f"details[data-action={action}] form"
        for name, value in fields.items():
            self.page.select_option(f"{form} select[name={name}]", label=value)
            self.taps += 1
        if note:
            self.page.fill(f"{form} textarea[name=note]", note)
        with self.page.expect_response(re.compile(r"/aksi/$")) as answer:
            self.tap(f"{form} button[type=submit]")
        assert answer.value.status == 200, (action, answer.value.status)
        self.page.wait_for_load_state("networkidle")

    def no_sideways_scroll(self) -> bool:
        return self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    def close(self):
        if self.context:
            self.context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    path = Path(os.environ.get("PANTAU_SHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_problem(walk: Walk, title: str, severity: str) -> str:
    page = walk.as_("desa-3513012001")
    walk.tap("a[href='/masalah/baru/']")
    page.wait_for_url("**/masalah/baru/")
    region = page.locator("#id_region")
    if region.locator("option").count() > 2:
        page.select_option("#id_region", value="35.13.01.2001")
        walk.taps += 1
    page.fill("#id_title", title)
    page.select_option("#id_category", index=1)
    walk.taps += 1
    walk.tap(f"label.sev-{severity}")
    page.fill("#id_suggestion", "Kirim kotak cadangan dari kecamatan")
    walk.shot(f"01-{severity}-desa-form")
    walk.tap("#problem-form button[type=submit]")
    page.wait_for_url(re.compile(r"/masalah/\d+/$"))
    assert title in walk.main()
    walk.shot(f"02-{severity}-desa-filed")
    return page.url


def open_from_home(walk: Walk, title: str, list_label: str):
    """From the home page's "waiting for you", open the problem: the way a person finds it."""
    page = walk.page
    waiting = page.locator("main").inner_text()
    assert "Menunggu tindakan Anda" in waiting, waiting
    block = page.locator("main li", has_text=title)
    assert block.count() >= 1, (walk.username, title, waiting)
    assert list_label in waiting, (list_label, waiting)
    walk.tap(f"main a:has-text('{title}')")
    page.wait_for_url(re.compile(r"/masalah/\d+/$"))


def notified(walk: Walk, title: str, heading: str) -> None:
    page = walk.page
    assert walk.page.locator("header a[href^='/notifikasi/']").count() == 1
    walk.tap("header a[href^='/notifikasi/']")
    page.wait_for_url("**/notifikasi/")
    text = walk.main()
    assert heading in text and title in text, (walk.username, heading, text[:600])


@pytest.mark.parametrize("size", ["360", "1366"])
def test_a_village_problem_walks_up_the_chain(demo_server, browser, shots, size):
    walk = Walk(browser, demo_server, size, shots)
    title = f"Kotak suara rusak TPS 03 ({size}-{uuid.uuid4().hex[:4]})"
    try:
        url = file_problem(walk, title, "tinggi")
        filing_taps, walk.taps = walk.taps, 0

        # the camat: in his list to verify, and notified
        walk.as_("camat-sukapura")
        walk.shot("03-camat-home")
        open_from_home(walk, title, "Perlu diverifikasi")
        walk.act("verify")
        walk.act("refer", note="Ada warga pingsan di TPS", agency="Dinas Kesehatan (Dinkes)")
        walk.act(
            "refer",
            note="Dugaan perusakan kotak",
            agency="Badan Pengawas Pemilihan Umum Kabupaten Probolinggo (Bawaslu)",
        )
        walk.shot("04-camat-referred")
        assert walk.no_sideways_scroll()
        camat_taps, walk.taps = walk.taps, 0
        walk.page.goto(walk.url + "/")
        notified(walk, title, "Masalah baru di Ngadisari")
        walk.shot("05-camat-notifications")

        # the agencies: told, and they answer
        for username, answer in (
            ("opd-dinkes", "Ambulans Puskesmas Sukapura berangkat"),
            ("bawaslu", "Panwascam Sukapura menuju lokasi"),
        ):
            walk.as_(username)
            walk.shot(f"06-{username}-home")
            notified(walk, title, "dirujuk ke")
            walk.shot(f"07-{username}-notifications")
            walk.tap(f"main a:has-text('{title}')")
            walk.page.wait_for_url(re.compile(r"/masalah/\d+/$"))
            walk.act("answer", note=answer)
            assert answer in walk.main()
            walk.shot(f"08-{username}-answered")
            if username == "bawaslu":  # no dead link in its menu
                menu = walk.page.locator("nav.nav").inner_text()
                assert "Dasbor" not in menu and "Kepatuhan" not in menu

        # the camat forwards it: the button names the receiver
        walk.as_("camat-sukapura")
        walk.page.goto(url)
        summary = walk.page.locator("details[data-action=escalate] summary").inner_text()
        assert summary == f"Teruskan ke {ASISTEN}", summary
        walk.act("escalate", note="Perlu keputusan Asisten: kotak pengganti")
        assert f"Masalah telah diteruskan ke {ASISTEN}." in walk.main()
        walk.shot("09-camat-escalated")

        # the Asisten: owner, notified, forwards to the Pj Bupati
        walk.as_("asisten-pemkesra")
        walk.shot("10-asisten-home")
        notified(walk, title, "dieskalasikan kepada Anda")
        walk.page.goto(url)
        assert "Asisten" in walk.main()
        summary = walk.page.locator("details[data-action=escalate] summary").inner_text()
        assert summary == f"Teruskan ke {BUPATI}", summary
        walk.act("escalate", note="Perlu keputusan Pj Bupati")
        assert f"Masalah telah diteruskan ke {BUPATI}." in walk.main()
        walk.shot("11-asisten-escalated")

        # the Pj Bupati sees it waiting for him and is notified
        walk.as_("bupati")
        walk.shot("12-bupati-home")
        open_from_home(walk, title, "Dieskalasikan kepada Anda")
        assert walk.page.locator("details[data-action=escalate]").count() == 0  # the top
        walk.shot("13-bupati-problem")
        assert walk.no_sideways_scroll()
        print(f"\ntaps at {size}: filing {filing_taps}, camat verify+2 referrals {camat_taps}")
    finally:
        walk.close()


@pytest.mark.parametrize("size", ["360", "1366"])
def test_a_kritis_problem_reaches_the_pj_bupati_at_once(demo_server, browser, shots, size):
    walk = Walk(browser, demo_server, size, shots)
    title = f"Kericuhan di TPS 05 ({size}-{uuid.uuid4().hex[:4]})"
    try:
        file_problem(walk, title, "kritis")
        walk.as_("bupati")
        open_from_home(walk, title, "Perlu diverifikasi")
        walk.shot("14-bupati-kritis")
        walk.page.goto(walk.url + "/")
        notified(walk, title, "Masalah baru di Ngadisari")
        walk.shot("15-bupati-kritis-notifications")
    finally:
        walk.close()
