"""A small bar chart drawn on the server as SVG (no chart library): per bucket, the problems
opened stacked by category and, beside them, the problems resolved."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pantau.lib.clock import WIB

PALETTE = ["#0b5cad", "#c2410c", "#7c3aed", "#0f766e", "#b86e00", "#be185d", "#4d7c0f", "#475569"]
RESOLVED = "#1d7a3c"
HEIGHT = 120
MIN_WIDTH = 240  # a few buckets are not stretched across the card
BAR = 6  # width of one bar; a bucket holds two bars and a gap


def bar_chart(series: dict, categories: list[tuple[str, str]]) -> dict:
    """Rectangles of the chart for the template: {"width", "height", "bars", "legend",
    "labels"}; categories are (code, name) in the instruction's order."""
    colours = {code: PALETTE[i % len(PALETTE)] for i, (code, _name) in enumerate(categories)}
    names = dict(categories)
    peak = max(series["max"], 1)
    bars, labels = [], []
    step = BAR * 2 + 4
    for i, bucket in enumerate(series["buckets"]):
        x = i * step
        y = HEIGHT
        for code, _name in categories:
            n = bucket["opened"].get(code, 0)
            if not n:
                continue
            h = n * HEIGHT / peak
            y -= h
            bars.append(
                {
                    "x": x,
                    "y": y,
                    "w": BAR,
                    "h": h,
                    "fill": colours[code],
                    "n": n,
                    "what": code,
                    "name": names[code],
                }
            )
        n = bucket["resolved_total"]
        if n:
            h = n * HEIGHT / peak
            bars.append(
                {
                    "x": x + BAR,
                    "y": HEIGHT - h,
                    "w": BAR,
                    "h": h,
                    "fill": RESOLVED,
                    "n": n,
                    "what": "resolved",
                    "name": _("solved"),
                }
            )
        start = timezone.localtime(bucket["start"], WIB)
        # "27 Nov 2024 08.00 WIB" per hour, "27 Nov 2024" per day: month in words, never 07/12
        if series["unit"] == "hour":
            label = formats.date_format(start, "j M Y H:i") + " WIB"
        else:
            label = formats.date_format(start, "j M Y")
        labels.append({"x": x, "text": label, "title": bucket})
    legend = [{"code": code, "name": name, "fill": colours[code]} for code, name in categories]
    return {
        "width": max(len(series["buckets"]) * step, MIN_WIDTH),
        "height": HEIGHT,
        "bars": bars,
        "legend": legend,
        "first": labels[0]["text"] if labels else "",
        "last": labels[-1]["text"] if labels else "",
        "resolved_fill": RESOLVED,
        "peak": series["max"],
    }
