"""The desk follows the operation: with the Pilkades loaded beside the Pilkada, the dashboard
and the compliance page show one operation's clusters and figures, name the other in a small
chooser, and `?operation=` switches; with a single operation nothing changes."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from pantau.instruction.loader import PILKADES
from pantau.instruction.models import Operation
from pantau.instruction.selectors import desk_operation
from pantau.lib.clock import WIB
from pantau.monitoring.models import Report
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db

PILKADA, PILKADES_CODE = "pilkada-2024-probolinggo", "pilkades-2025-probolinggo"
PILKADA_CLUSTERS = ["pemkesra", "adum", "ekbang"]
PILKADES_CLUSTERS = ["pilkades-pemkesra"]
TONGAS = "35.13.23"


@pytest.fixture
def both(users, new_report):
    new_report(username="camat-tongas", region=TONGAS)  # a Pilkada report
    call_command("loadinstruction", str(PILKADES), stdout=io.StringIO())


def clusters(html: str) -> list[str]:
    return re.findall(r'data-cluster="([^"]*)"', html)


def chooser(html: str) -> tuple[str | None, list[str]]:
    nav = re.search(r'<nav class="operations".*?</nav>', html, re.S)
    if nav is None:
        return None, []
    chosen = re.search(r'aria-current="true" data-operation="([^"]+)"', nav.group(0)).group(1)
    return chosen, re.findall(r'<a href="[^"]*" data-operation="([^"]+)"', nav.group(0))


def test_the_current_operation_is_the_one_whose_period_holds_the_day(both):
    kabupaten = Region.objects.get(code="35.13")
    at = lambda day: dt.datetime.combine(day, dt.time(9), tzinfo=WIB)  # noqa: E731
    assert desk_operation(kabupaten, at(dt.date(2024, 11, 27))).code == PILKADA
    assert desk_operation(kabupaten, at(dt.date(2025, 10, 26))).code == PILKADES_CODE
    assert desk_operation(kabupaten, at(dt.date(2026, 12, 7))).code == PILKADES_CODE  # nearest
    # a kecamatan outside the Pilkades' territory has only the Pilkada
    sukapura = Region.objects.get(code="35.13.01")
    assert desk_operation(sukapura, at(dt.date(2025, 10, 26))).code == PILKADA


def test_the_dashboard_shows_the_chosen_operations_clusters(both, login):
    client = login("bupati")
    default = client.get("/dasbor/")
    assert default.status_code == 200
    html = default.content.decode()
    current = desk_operation(Region.objects.get(code="35.13"), dt.datetime.now(WIB)).code
    expected = PILKADES_CLUSTERS if current == PILKADES_CODE else PILKADA_CLUSTERS
    assert clusters(html) == expected
    assert chooser(html) == (current, [PILKADA if current == PILKADES_CODE else PILKADES_CODE])

    pilkada = client.get("/dasbor/", {"operation": PILKADA}).content.decode()
    assert clusters(pilkada) == PILKADA_CLUSTERS  # three, not four side by side
    assert chooser(pilkada) == (PILKADA, [PILKADES_CODE])
    pilkades = client.get("/dasbor/", {"operation": PILKADES_CODE}).content.decode()
    assert clusters(pilkades) == PILKADES_CLUSTERS
    assert chooser(pilkades) == (PILKADES_CODE, [PILKADA])


def test_the_figures_are_the_chosen_operations(both, login):
    client = login("bupati")
    stored = Report.objects.filter(operation__code=PILKADA).count()
    assert stored > 1 and not Report.objects.filter(operation__code=PILKADES_CODE).exists()
    pilkada = client.get("/dasbor/", {"operation": PILKADA}).context["data"]["totals"]
    pilkades = client.get("/dasbor/", {"operation": PILKADES_CODE}).context["data"]["totals"]
    assert (pilkada["reports"], pilkades["reports"]) == (stored, 0)
    # a stage code of both operations is the chosen one's stage (no mix-up, no error)
    page = client.get("/dasbor/", {"operation": PILKADES_CODE, "stage": "pemungutan"})
    assert page.status_code == 200
    assert page.context["form"].cleaned_data["stage"].operation.code == PILKADES_CODE


def test_an_unknown_operation_is_a_clear_400(both, login):
    response = login("bupati").get("/dasbor/", {"operation": "nope"})
    assert response.status_code == 400
    assert "nope" in response.content.decode()


def test_one_operation_shows_no_chooser(users, login):
    assert Operation.objects.count() == 1
    html = login("bupati").get("/dasbor/").content.decode()
    assert chooser(html) == (None, [])
    assert clusters(html) == PILKADA_CLUSTERS


def test_the_compliance_page_follows_the_operation(both, login):
    client = login("bupati")
    day = {"date": "2024-11-27"}
    pilkada = client.get("/kepatuhan/", {**day, "operation": PILKADA})
    assert pilkada.status_code == 200
    html = pilkada.content.decode()
    assert chooser(html) == (PILKADA, [PILKADES_CODE])
    assert [c.region for c in pilkada.context["clusters"]] == PILKADA_CLUSTERS
    assert f'name="operation" value="{PILKADA}"' in html  # the filters keep the choice
    pilkades = client.get("/kepatuhan/", {**day, "operation": PILKADES_CODE})
    assert chooser(pilkades.content.decode()) == (PILKADES_CODE, [PILKADA])
    assert [c.region for c in pilkades.context["clusters"]] == PILKADES_CLUSTERS
    # the Pilkada owes reports on its voting day; the Pilkades owes none then
    assert pilkada.context["result"].expected > 0
    assert pilkades.context["result"].expected == 0
    assert client.get("/kepatuhan/", {**day, "operation": "nope"}).status_code == 400


def test_the_compliance_page_of_one_operation_has_no_chooser(users, login):
    response = login("bupati").get("/kepatuhan/", {"date": "2024-11-27"})
    assert chooser(response.content.decode()) == (None, [])
    assert [c.region for c in response.context["clusters"]] == PILKADA_CLUSTERS


def test_the_periodic_request_page_follows_the_operation(both, login):
    from pantau.periodic.models import PeriodicReport

    client = login("bupati")
    page = client.get("/laporan-berkala/", {"operation": PILKADES_CODE})
    assert page.status_code == 200
    html = page.content.decode()
    assert chooser(html) == (PILKADES_CODE, [PILKADA])
    offered = [
        v for _label, group in page.context["form"].fields["target"].choices for v, _ in group
    ]
    assert "cluster:pilkades-pemkesra" in offered and "cluster:pemkesra" not in offered
    sent = client.post(
        f"/laporan-berkala/?operation={PILKADES_CODE}",
        {"target": "kabupaten:35.13", "period_start": "2025-10-26", "period_end": "2025-10-26"},
    )
    assert sent.status_code == 302, sent.context["form"].errors
    report = PeriodicReport.objects.latest("pk")
    assert report.operation.code == PILKADES_CODE
    listed = client.get("/laporan-berkala/", {"operation": PILKADA}).context["page"]
    assert report not in list(listed)
    listed = client.get("/laporan-berkala/", {"operation": PILKADES_CODE}).context["page"]
    assert list(listed) == [report]


def test_the_periodic_page_of_one_operation_has_no_chooser(users, login):
    html = login("bupati").get("/laporan-berkala/").content.decode()
    assert chooser(html) == (None, [])


def test_the_nation_sums_every_operation(both):
    from django.http import QueryDict

    from pantau.figures import desk

    choice = desk.choose(Region.nation(), dt.datetime.now(WIB), QueryDict("operation=nope"))
    assert (choice.chosen, choice.several, choice.filter) == (None, False, None)


def test_the_operation_shown_is_the_one_of_the_day_shown(both, login):
    """The operation is chosen for the day the page shows: a day asked in the URL chooses its
    operation (no `operation=` needed); without one, the page opens on the chosen operation's
    own day (its latest with data), never on another operation's."""
    client = login("bupati")
    for url in (
        "/kepatuhan/?date=2024-11-27",
        "/kepatuhan/?since=2024-11-26&until=2024-11-27",
        "/dasbor/?period=range&start=2024-11-27&end=2024-11-27",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert chooser(page.content.decode())[0] == PILKADA, url
    assert chooser(client.get("/kepatuhan/?date=2025-10-26").content.decode())[0] == PILKADES_CODE
    for url in ("/kepatuhan/", "/dasbor/"):
        page = client.get(url)
        chosen = Operation.objects.get(code=chooser(page.content.decode())[0])
        opening = page.context["opening"]
        if opening.moved:  # the day opened on is one of the chosen operation's data
            moments = Report.objects.filter(operation=chosen).values_list("observed_at", flat=True)
            assert opening.day in {m.astimezone(WIB).date() for m in moments}, url
    # an explicit choice still wins over the day
    page = client.get("/kepatuhan/", {"date": "2024-11-27", "operation": PILKADES_CODE})
    assert chooser(page.content.decode())[0] == PILKADES_CODE
