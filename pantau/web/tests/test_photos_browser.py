"""Photos on the web form, in a real browser on a weak line (issue 17) and at their limits
(issue 13): Debian's chromium driven by Playwright, against `pantau demo` on 127.0.0.1, at
360x740 (a cheap phone) and 1366x768 (a desk's laptop).

The line is throttled by the browser itself (the DevTools protocol's
Network.emulateNetworkConditions: 400 kbit/s up and down, 400 ms round trip, the phone of the
issue). The photo is made here with Pillow: 4000x3000 pixels, as a 12 MP phone camera takes it.

A photo the phone already made small and upright is shown at once (issue 18): the form's own
photo, kept as sent less its metadata, with no wait for the task consumer.

Screenshots go to $PANTAU_SHOTS (or the test's tmp_path)."""

import base64
import io
import os
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import Error as PlaywrightError

from pantau.web.tests.test_offline import (
    ask_server,
    count,
    fill_report,
    log_in,
    wait_for,
    wait_for_count,
)

pytestmark = pytest.mark.browser

SIZES = {"360": {"width": 360, "height": 740}, "1366": {"width": 1366, "height": 768}}
WEAK_LINE = {  # bytes per second: 400 kbit/s
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
SENT_BUDGET = 500 * 1024


def camera_photo(width=4000, height=3000, seed=17, exif=None) -> bytes:
    """A JPEG like a phone camera's: a sky, hills, a few shapes, sensor noise; a few MB.
    `exif`: the camera's EXIF block (CAMERA_EXIF by default)."""
    rng = random.Random(seed)
    small = Image.new("RGB", (400, 300))
    draw = ImageDraw.Draw(small)
    for y in range(300):  # a sky from blue to pale
        draw.line([(0, y), (400, y)], fill=(90 + y // 3, 140 + y // 4, 220 - y // 5))
    for _ in range(12):  # hills, a tent, people
        x, y = rng.randrange(400), rng.randrange(120, 300)
        colour = (rng.randrange(40, 200), rng.randrange(60, 180), rng.randrange(20, 120))
        draw.ellipse([x - 60, y - 20, x + 60, y + 40], fill=colour)
    draw.rectangle([150, 170, 260, 260], fill=(200, 40, 40))
    big = small.resize((width, height), Image.Resampling.BICUBIC).filter(ImageFilter.DETAIL)
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    photo = Image.blend(big, noise, 0.12)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92, exif=(exif or CAMERA_EXIF).tobytes())
    return out.getvalue()


def camera_exif() -> Image.Exif:
    """Held sideways (orientation 6: the picture is turned a quarter on display) in Ngadisari."""
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (7.0, 56.0, 30.0), "E", (112.0, 57.0, 0.0)
    return exif


CAMERA_EXIF = camera_exif()
PHONE_MAKE, PHONE_MODEL = "Xiaomi", "Redmi 9A"


def upright_phone_exif() -> Image.Exif:
    """Held upright (no orientation tag) in Ngadisari, by a named phone: the camera and the
    place are metadata that must not leave the server."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = PHONE_MAKE, PHONE_MODEL  # Make, Model
    exif.get_ifd(0x8769)[0x9003] = "2024:11:27 09:30:00"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (7.0, 56.0, 30.0), "E", (112.0, 57.0, 0.0)
    return exif


def png_declaring(width: int, height: int) -> bytes:
    """A small grey PNG whose header declares width x height (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    body = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def small_photo(colour=(30, 120, 200), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=80)
    return out.getvalue()


def jpeg(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


@pytest.fixture
def shots(tmp_path) -> Path:
    where = Path(os.environ.get("PANTAU_SHOTS") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


def screen(browser, size: str):
    mobile = size == "360"
    return browser.new_context(
        viewport=SIZES[size],
        device_scale_factor=2 if mobile else 1,
        is_mobile=mobile,
        has_touch=mobile,
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def photos_of(demo_server, pk: int) -> list[dict]:
    return ask_server(
        demo_server,
        f"[{{'status': p.status, 'width': p.width, 'height': p.height, 'lat': p.lat,"
        f" 'lon': p.lon}} "
        f"for p in Report.objects.get(pk={pk}).photos.all()]",
    )


def wait_for_ready_photos(demo_server, pk: int, n: int) -> list[dict]:
    return wait_for(
        lambda: (
            (photos := photos_of(demo_server, pk))
            and len(photos) == n
            and all(p["status"] == "ready" for p in photos)
            and photos
        ),
        timeout=60,
        message=f"{n} photos processed",
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_camera_photo_goes_small_with_its_progress_on_a_weak_line(
    demo_server, browser, size, shots
):
    url = demo_server["url"]
    context = screen(browser, size)
    page = context.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")
    original = camera_photo()
    assert len(original) > 2 * 1024 * 1024  # as the 2.8 MB photo
    fill_report(page, f"Foto dari kamera ({size})")
    # The camera and the gallery are two buttons; the plain input is hidden behind them.
    assert page.locator("[data-photo-open=camera]").is_visible()
    assert page.locator("[data-photo-open=gallery]").is_visible()
    assert not page.locator("input[name=photos]").is_visible()
    assert page.get_attribute("[data-photo-source=camera]", "capture") == "environment"
    page.set_input_files("[data-photo-source=gallery]", files=[jpeg("IMG_0001.jpg", original)])
    page.wait_for_selector(".photo-chosen img")
    prepared = int(page.get_attribute(".photo-chosen [data-photo-size]", "data-photo-size"))
    assert prepared <= SENT_BUDGET
    # What the form will send in place of the 4000x3000 original: a JPEG 1600 px high (the
    # camera held sideways), as drawn by the browser.
    shape = page.evaluate(
        "createImageBitmap(document.querySelector('input[name=photos]').files[0],"
        " {imageOrientation: 'none'}).then(b => [b.width, b.height, "
        "document.querySelector('input[name=photos]').files[0].type])"
    )
    assert shape == [1200, 1600, "image/jpeg"]
    page.screenshot(path=shots / f"photo-prepared-{size}.png", full_page=True)

    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", WEAK_LINE)
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r) if r.method == "POST" and "/laporan/baru/" in r.url else None,
    )
    page.click("#report-form button[type=submit]")
    # The progress shows while the photo goes: a bar that moves, and a percentage.
    seen = []
    shot = False

    def progressing():
        nonlocal shot
        if re.search(r"/laporan/\d+/$", page.url):
            return True
        try:
            value = page.evaluate(
                "(() => { const m = document.querySelector('[data-send-progress]');"
                " return m && !m.hidden ? m.querySelector('progress').value : null; })()"
            )
        except PlaywrightError:  # the page is going to the stored report
            return False
        if value is not None:
            seen.append(value)
        if not shot and value is not None and 20 <= value <= 80:
            page.screenshot(path=shots / f"photo-sending-{size}.png", full_page=False)
            shot = True
        return re.search(r"/laporan/\d+/$", page.url)

    wait_for(progressing, timeout=90, message="the report sent")
    assert any(0 < v < 100 for v in seen), seen
    assert len(set(seen)) >= 3, seen  # it moved, not one jump at the end
    assert shot

    # What went over the line: at most ~500 KB for the whole form (Playwright does not keep a
    # body with files, but counts it).
    (post,) = posts
    assert post.sizes()["requestBodySize"] <= SENT_BUDGET, post.sizes()
    cdp.send(
        "Network.emulateNetworkConditions",
        {**WEAK_LINE, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    pk = int(re.search(r"/laporan/(\d+)/$", page.url).group(1))
    (stored,) = wait_for_ready_photos(demo_server, pk, 1)
    # Upright, at most 1600 px, and where it was taken: the camera's EXIF came along with its
    # orientation made upright (turned once, on the phone, not twice).
    assert (stored["width"], stored["height"]) == (1200, 1600)
    assert (stored["lat"], stored["lon"]) == (-7.941667, 112.95)
    size_on_disk = ask_server(demo_server, f"Report.objects.get(pk={pk}).photos.get().image.size")
    assert size_on_disk <= SENT_BUDGET
    page.reload()
    # Sent without the phone's location: the photo's stands in, and says where it comes from.
    location = page.locator("#location").inner_text()
    assert "-7.94167, 112.95000" in location and "dari foto" in location, location
    page.screenshot(path=shots / f"photo-stored-{size}.png", full_page=True)
    assert no_sideways_scroll(page)
    # Big enough to see what it shows: the card's width on a phone, a third of it at a desk.
    shown = page.locator(".photos img").first.bounding_box()["width"]
    card = page.locator(".photos").bounding_box()["width"]
    assert shown >= (card - 1 if size == "360" else 200), (shown, card)
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_photos_are_added_afterwards_online_and_from_the_outbox(demo_server, browser, size, shots):
    url = demo_server["url"]
    context = screen(browser, size)
    page = context.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")
    fill_report(page, f"Fotonya menyusul ({size})")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/laporan/\d+/$"))
    pk = int(re.search(r"/laporan/(\d+)/$", page.url).group(1))
    assert page.locator("#add-photos").is_visible()
    page.screenshot(path=shots / f"add-photos-{size}.png", full_page=True)

    # With signal: chosen, sent, and the page shows it.
    page.set_input_files(
        "#add-photos [data-photo-source=gallery]",
        files=[jpeg("tps-1.jpg", small_photo((200, 60, 30)))],
    )
    page.wait_for_selector("#add-photos .photo-chosen")
    page.click("#photo-form button[type=submit]")
    page.wait_for_selector(".photos img, .photos .photo-pending")
    assert "Foto ditambahkan" in page.inner_text("main")
    assert len(photos_of(demo_server, pk)) == 1

    # Without signal: kept on the phone, sent when the signal returns, stored once.
    context.set_offline(True)
    page.set_input_files(
        "#add-photos [data-photo-source=camera]",
        files=[jpeg("tps-2.jpg", small_photo((30, 160, 60)))],
    )
    page.wait_for_selector("#add-photos .photo-chosen")
    page.click("#photo-form button[type=submit]")
    wait_for_count(page, 1)
    assert page.locator("#add-photos .photo-chosen").count() == 0  # the form is ready again
    page.screenshot(path=shots / f"add-photos-waiting-{size}.png", full_page=True)
    assert len(photos_of(demo_server, pk)) == 1
    context.set_offline(False)
    wait_for_count(page, 0)
    assert len(photos_of(demo_server, pk)) == 2
    page.reload()
    assert count(page) == 0
    assert page.locator(".photos > *").count() == 2
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_fourth_photo_and_a_pixel_bomb_are_refused_and_nothing_stored_is_lost(
    demo_server, browser, size, shots
):
    """Issue 13: the 3-photo cap and the pixel limit, as the person on the form meets them."""
    url = demo_server["url"]
    context = screen(browser, size)
    page = context.new_page()
    log_in(page, url)
    page.goto(url + "/laporan/baru/")
    fill_report(page, f"Empat foto ({size})")
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30)]
    four = [jpeg(f"foto-{n}.jpg", small_photo(c)) for n, c in enumerate(colours, 1)]
    page.set_input_files("[data-photo-source=gallery]", files=four)
    wait_for(lambda: page.locator(".photo-chosen").count() == 3, message="three photos")
    errors = page.inner_text("[data-photo-errors]")
    assert "foto-4.jpg tidak ditambahkan" in errors and "paling banyak 3 foto" in errors
    assert page.locator("[data-photo-open=gallery]").is_disabled()  # the report is full
    page.screenshot(path=shots / f"four-photos-{size}.png", full_page=True)

    # One removed, a pixel bomb chosen instead: refused before sending, with its size.
    page.click(".photo-chosen:nth-child(3) [data-photo-remove]")
    bomb = {"name": "bom.png", "mimeType": "image/png", "buffer": png_declaring(10900, 10900)}
    page.set_input_files("[data-photo-source=gallery]", files=[bomb])
    page.wait_for_selector("[data-photo-errors] .error")
    errors = page.inner_text("[data-photo-errors]")
    assert "bom.png tidak ditambahkan" in errors and "10900×10900" in errors, errors
    assert page.locator(".photo-chosen").count() == 2
    page.screenshot(path=shots / f"pixel-bomb-{size}.png", full_page=True)

    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/laporan/\d+/$"))
    pk = int(re.search(r"/laporan/(\d+)/$", page.url).group(1))
    assert len(wait_for_ready_photos(demo_server, pk, 2)) == 2

    # Without the script the server refuses the same, and the report keeps what it has.
    plain = browser.new_context(viewport=SIZES[size], java_script_enabled=False)
    other = plain.new_page()
    log_in(other, url)
    other.goto(url + f"/laporan/{pk}/")
    other.set_input_files("#photo-form input[name=photos]", files=four[:2])
    other.click("#photo-form button[type=submit]")
    assert "Satu laporan paling banyak memuat 3 foto" in other.inner_text("#photo-form")
    other.screenshot(path=shots / f"server-refuses-two-more-{size}.png", full_page=True)
    other.set_input_files("#photo-form input[name=photos]", files=[bomb])
    other.click("#photo-form button[type=submit]")
    assert "10900×10900 piksel" in other.inner_text("#photo-form")
    other.screenshot(path=shots / f"server-refuses-bomb-{size}.png", full_page=True)
    assert len(photos_of(demo_server, pk)) == 2  # nothing already stored is lost
    plain.close()

    page.set_input_files("#add-photos [data-photo-source=gallery]", files=four[3:])
    page.wait_for_selector("#add-photos .photo-chosen")
    page.click("#photo-form button[type=submit]")
    page.wait_for_selector("#photos-full")
    assert len(photos_of(demo_server, pk)) == 3
    assert page.locator("#add-photos").count() == 0
    page.screenshot(path=shots / f"report-full-{size}.png", full_page=True)
    context.close()


def from_first_scan(data: bytes) -> bytes:
    """A JPEG from its first start-of-scan marker on: the coded pixels (its header segments,
    metadata among them, skipped)."""
    pos = 2
    while data[pos + 1] != 0xDA:
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return data[pos:]


def photo_shown(page) -> dict:
    """The report's one photo, scrolled to (it loads lazily), displayed and loaded."""
    img = page.locator(".photos img")
    assert img.count() == 1
    img.scroll_into_view_if_needed()
    wait_for(
        lambda: img.evaluate("i => i.complete && i.naturalWidth > 0"),
        timeout=15,
        message="the photo loaded",
    )
    assert img.is_visible()
    return img.evaluate(
        "i => ({natural: [i.naturalWidth, i.naturalHeight], width: i.clientWidth,"
        " alt: i.alt, src: i.getAttribute('src')})"
    )


def nothing_pending(page) -> None:
    assert page.locator(".photo-pending").count() == 0
    text = page.inner_text("main").lower()
    assert "sedang diproses" not in text and "being processed" not in text


def open_report_as_a_user_does(page, pk: int) -> int:
    """Home, the menu (folded on a phone), Reports, the report's row; the taps it took."""
    taps = 0
    reports = page.locator("#menu nav a[href='/laporan/']")
    if not reports.is_visible():
        page.click("#menu summary")
        taps += 1
    reports.click()
    page.click(f"a.row-title[href='/laporan/{pk}/']")
    page.wait_for_url(re.compile(rf".*/laporan/{pk}/$"))
    return taps + 2


def test_a_phone_photo_shows_at_once_to_the_village_head_and_to_the_camat(
    demo_server, browser, shots
):
    """Issue 18: the village head of Ngadisari sends a report with a photo from the phone's
    gallery; the report's page shows it on arrival, not "Foto sedang diproses", the task
    consumer not waited for; the camat of Sukapura sees it too, and what the server gives has
    neither the EXIF block nor the phone's name (its location is kept on the photo's row)."""
    url = demo_server["url"]
    taken = camera_photo(1200, 900, seed=18, exif=upright_phone_exif())
    assert b"Exif" in taken and PHONE_MODEL.encode() in taken
    village = screen(browser, "360")
    page = village.new_page()
    log_in(page, url)  # the name, the password, "Masuk"
    taps = 3
    page.click("#go-report")
    taps += 1
    page.wait_for_url(url + "/laporan/baru/")
    required = page.evaluate(
        "new Set([...document.querySelectorAll('#questions [required]')].map(e => e.name)).size"
    )
    fill_report(page, "Foto TPS dari HP kepala desa")
    taps += 1 + required + 1  # the situation, each required answer, the narrative
    with page.expect_file_chooser() as chooser:
        page.click("[data-photo-open=gallery]")
    chooser.value.set_files(jpeg("IMG_20241127_093000.jpg", taken))
    taps += 2  # the button, the photo in the gallery
    page.wait_for_selector(".photo-chosen img")
    # What the form sends: photos.js keeps a JPEG this small (about 200 KB) as it is, EXIF and
    # all; a larger one it redraws at most 1600 px and carries the EXIF block over.
    sent = base64.b64decode(
        page.evaluate(
            "new Promise(done => { const r = new FileReader();"
            " r.onload = () => done(r.result.split(',')[1]);"
            " r.readAsDataURL(document.querySelector('input[name=photos]').files[0]); })"
        )
    )
    assert b"Exif" in sent and PHONE_MODEL.encode() in sent
    with Image.open(io.BytesIO(sent)) as prepared:
        assert (prepared.format, prepared.size) == ("JPEG", (1200, 900))
    page.click("#report-form button[type=submit]")
    taps += 1
    page.wait_for_url(re.compile(r".*/laporan/\d+/$"), timeout=30000)
    pk = int(re.search(r"/laporan/(\d+)/$", page.url).group(1))
    # The page as it arrived: the photo itself, not its placeholder (no reload, no wait).
    nothing_pending(page)
    shown = photo_shown(page)
    assert shown["natural"] == [1200, 900] and shown["width"] <= 360, shown
    assert no_sideways_scroll(page)
    page.screenshot(path=shots / "photo-village-360.png", full_page=True)
    print(f"the village head's path: {taps} taps ({required} required answers)")
    (stored,) = photos_of(demo_server, pk)
    assert stored == {
        "status": "ready",
        "width": 1200,
        "height": 900,
        "lat": -7.941667,
        "lon": 112.95,
    }
    village.close()

    for size in SIZES:
        desk = screen(browser, size)
        camat = desk.new_page()
        log_in(camat, url, "camat-sukapura")
        open_report_as_a_user_does(camat, pk)
        nothing_pending(camat)
        shown = photo_shown(camat)
        assert shown["natural"] == [1200, 900], shown
        assert no_sideways_scroll(camat)
        camat.screenshot(path=shots / f"photo-camat-{size}.png", full_page=True)
        if size == "360":
            served = camat.request.get(url + shown["src"])
            assert served.ok and served.headers["content-type"] == "image/jpeg"
            body = served.body()
            assert b"Exif" not in body
            assert PHONE_MODEL.encode() not in body and PHONE_MAKE.encode() not in body
            with Image.open(io.BytesIO(body)) as kept:
                assert kept.size == (1200, 900) and not kept.getexif()
            # Kept as the phone sent it, not re-encoded by the task consumer: the same coded
            # pixels, byte for byte.
            assert from_first_scan(body) == from_first_scan(sent)
        desk.close()
