"""Draw the app icons of the manifest (a white P on the header's blue), once:

    .venv/bin/python -m pantau.web.pwa_icons

The PNGs are committed under static/pantau/icons/; run this again only to change them. The
letter is drawn from shapes (no font needed) inside the central 80 % circle, so the same file
serves as a maskable icon that a launcher may crop to a circle or a squircle.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = "#14325c"  # the header bar of pantau.css, and the manifest's theme colour
WHITE = "#ffffff"
SIZES = (192, 512)
OUT = Path(__file__).resolve().parent / "static" / "pantau" / "icons"
SCALE = 4  # drawn larger, then scaled down: smooth edges without anti-aliasing support


def draw(size: int) -> Image.Image:
    big = size * SCALE
    unit = big / 100  # the drawing is on a 100 x 100 grid

    def box(x0, y0, x1, y1):
        return [round(x0 * unit), round(y0 * unit), round(x1 * unit), round(y1 * unit)]

    image = Image.new("RGB", (big, big), BLUE)
    pen = ImageDraw.Draw(image)
    # The bowl of the P: a bar ending in a half circle, with its counter cut out.
    pen.rectangle(box(34, 24, 54, 60), fill=WHITE)
    pen.ellipse(box(36, 24, 72, 60), fill=WHITE)
    pen.rectangle(box(46, 34, 54, 50), fill=BLUE)
    pen.ellipse(box(46, 34, 62, 50), fill=BLUE)
    # The stem.
    pen.rectangle(box(34, 24, 46, 78), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        path = OUT / f"icon-{size}.png"
        draw(size).quantize(colors=32).save(path, optimize=True)
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
