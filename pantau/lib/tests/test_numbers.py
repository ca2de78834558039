"""A rate reads the same everywhere on the desk: one decimal, the interface's decimal mark."""

import pytest
from django.template import Context, Template
from django.utils import translation

from pantau.lib.numbers import percent
from pantau.periodic.content import _pct


@pytest.mark.parametrize(
    ("rate", "indonesian", "english"),
    [
        (2 / 3, "66,7%", "66.7%"),
        (0.8, "80%", "80%"),
        (0.796, "79,6%", "79.6%"),  # below the 80% mark, and it says so
        (0.9996, "99,9%", "99.9%"),  # one report short is not "100%"
        (1, "100%", "100%"),
        (0, "0%", "0%"),
        (None, "–", "–"),
    ],
)
def test_it_writes_a_rate_with_one_decimal(rate, indonesian, english):
    with translation.override("id"):
        assert percent(rate) == indonesian
    with translation.override("en"):
        assert percent(rate) == english


def test_the_dashboard_the_compliance_page_and_the_periodic_report_agree():
    with translation.override("id"):
        written = {
            Template("{% load " + library + " %}{{ rate|percent }}").render(
                Context({"rate": 2 / 3})
            )
            for library in ("dashboard", "compliance")
        }
        assert written == {_pct(2 / 3)} == {"66,7%"}
