"""Numbers as the desk writes them.

A rate is written with one decimal and the interface's decimal mark, the percent sign attached
as Indonesian spelling (EYD) writes it: 0.6667 -> "66,7%" in Bahasa Indonesia ("66.7%" in
English), a whole number without its decimal (0.8 -> "80%"). One decimal, because a desk reads
these rates against a threshold and a whole number hides what matters: 79.6% rounds to "80%"
(the red mark is given below 80%), and 99.6% to "100%", as if every report had arrived. For the
same reason a rate short of 1 never reads "100%" (at most "99,9%")."""

from django.utils.formats import number_format


def percent(rate: float | None) -> str:
    """A rate (0..1) as a percentage (see the module); None (nothing expected) -> "–"."""
    if rate is None:
        return "–"
    value = round(rate * 100, 1)
    if value >= 100 and rate < 1:
        value = 99.9
    if value == int(value):
        return f"{int(value)}%"
    return f"{number_format(value, 1)}%"
