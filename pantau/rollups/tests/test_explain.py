"""The dashboard's, the lists' and the rollup job's queries use indexes on a realistically sized
table (PostgreSQL's planner; SQLite has no comparable cost model)."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from pantau.accounts import access
from pantau.dashboard import selectors
from pantau.figures.read import Selection
from pantau.instruction.models import Category, Operation
from pantau.monitoring.models import Report
from pantau.problems.models import Problem
from pantau.regions.models import Region
from pantau.rollups import compute
from pantau.rollups.models import Tally

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="EXPLAIN plans are checked on PostgreSQL only"
)

REPORTS = 60_000
PROBLEMS = 12_000


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def big(users):
    """Tens of thousands of reports and problems over the regency's villages, analysed."""
    author = users["admin"]
    operation = Operation.objects.filter(status="active").first()
    villages = list(Region.objects.filter(level="desa").values_list("pk", flat=True))
    category = Category.objects.first()
    start = timezone.now() - dt.timedelta(days=30)
    Report.objects.bulk_create(
        [
            Report(
                client_id=uuid.uuid4(),
                operation=operation,
                region_id=villages[i % len(villages)],
                author=author,
                observed_at=start + dt.timedelta(seconds=40 * i),
                received_at=start + dt.timedelta(seconds=40 * i + 5),
                channel="api",
                situation=("aman", "waspada", "rawan")[i % 3],
            )
            for i in range(REPORTS)
        ],
        batch_size=5000,
    )
    Problem.objects.bulk_create(
        [
            Problem(
                operation=operation,
                title="x",
                category=category,
                severity="sedang",
                region_id=villages[i % len(villages)],
                reporter=author,
                level="desa",
                status=("baru", "selesai", "ditangani", "ditolak")[i % 4],
                acknowledge_due_at=start + dt.timedelta(minutes=3 * i + 60),
                resolve_due_at=start + dt.timedelta(minutes=3 * i + 600),
                created_at=start + dt.timedelta(minutes=3 * i),
                updated_at=start + dt.timedelta(minutes=3 * i),
            )
            for i in range(PROBLEMS)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        for table in ("monitoring_report", "problems_problem", "regions_region"):
            cursor.execute(f"ANALYZE {table}")
    return timezone.now()


def assert_indexed(queryset, *tables):
    text = plan(queryset)
    for table in tables:
        assert f"Seq Scan on {table}" not in text, text


def test_the_key_queries_use_indexes(users, big):
    camat = users["camat-tongas"]
    tongas = Region.objects.get(code="35.13.23")
    now = big
    recent = now - dt.timedelta(minutes=2)
    # The rollups' tails and the job's changed problems.
    assert_indexed(Report.objects.filter(received_at__gt=recent), "monitoring_report")
    # The job's new reports: one range of received_at, less those already counted.
    assert_indexed(compute.new_reports(recent, now), "monitoring_report")
    assert_indexed(Problem.objects.filter(updated_at__gt=recent), "problems_problem")
    # A kecamatan's dashboard (direct: bounded by the kecamatan) and its lists.
    scope = Selection.of(camat, tongas, since=selectors.start_of_today(now), now=now)
    assert_indexed(scope.reports(), "monitoring_report")
    assert_indexed(scope.problems().filter(scope.open_q()), "problems_problem")
    assert_indexed(scope.reports().order_by("-observed_at", "-pk")[:10], "monitoring_report")
    # (a village's list: at this table size a kecamatan's 1/24 of the problems is cheaper
    # to read whole; at the national size a kecamatan is 1/7,000 of them)
    village = users["desa-3513012001"]
    assert_indexed(
        access.problems_for(village).order_by("-created_at", "-id")[:50], "problems_problem"
    )
    # The regency's latest reports (the map markers: the same scan) and most severe open
    # problems: LIMITed scans of the time indexes, not a sort of every report of the region.
    bupati = users["bupati"]
    regency = selectors.dashboard_region(bupati)
    scope = Selection.of(bupati, regency, now=now)
    assert_indexed(scope.reports().order_by("-observed_at", "-pk")[:10], "monitoring_report")
    open_problems = scope.problems().filter(scope.open_q())
    assert_indexed(
        open_problems.filter(severity="sedang").order_by("-created_at", "-pk")[:10],
        "problems_problem",
    )
    # The compliance slots: the responsible users' reports received in the period.
    camats = [users["camat-tongas"].pk, users["bupati"].pk]
    received = Report.objects.filter(
        author_id__in=camats, received_at__gte=now - dt.timedelta(days=2), received_at__lte=now
    )
    # By author and time received; the demo's scheduled reports (received in 2024) leave
    # the planner free to take the time index alone where the period holds few reports.
    found = plan(received)
    assert "report_author_received" in found or "Index Scan using monitoring__r" in found, found
    assert_indexed(received, "monitoring_report")
    # The deadline job's and the escalation's candidates.
    assert_indexed(
        Problem.objects.filter(status="baru", acknowledge_due_at__lte=now), "problems_problem"
    )
    # A village's reports (the job's recomputation of a kecamatan reads 1/24 of this table,
    # which PostgreSQL rightly reads whole at this size; at the national size it is 1/7,000).
    place = Report.objects.filter(region__code="35.13.01.2001", received_at__lte=now)
    assert_indexed(place, "monitoring_report")


def test_the_rollups_read_few_rows(users, big):
    compute.refresh(now=big)
    bupati = users["bupati"]
    region = selectors.dashboard_region(bupati)
    rows = Tally.objects.filter(depth=3, kab=region.code).count()
    assert 0 < rows < REPORTS / 6  # rows per kecamatan, day and key, not per report
    data = selectors.summary(user=bupati, region=region, now=big)
    assert data["totals"]["reports"] >= REPORTS
