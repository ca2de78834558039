"""The benchmark tools: the synthetic data generator keeps the structure it promises, and the read
benchmark measures every level. No timing is asserted: speed targets belong to the benchmark."""

import datetime as dt
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from pantau.lib.clock import WIB
from pantau.monitoring.models import Report
from pantau.problems.models import Problem
from pantau.regions.models import Region

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCALE = 0.1  # 1,000 reports and 200 problems; all 1,750 TPS


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def generated(db):
    generate = _load("generate")
    before = {
        "reports": set(Report.objects.values_list("pk", flat=True)),
        "problems": set(Problem.objects.values_list("pk", flat=True)),
    }
    result = generate.generate("regency", scale=SCALE, seed=7, quiet=True)
    reports = Report.objects.exclude(pk__in=before["reports"]).select_related("region", "stage")
    problems = Problem.objects.exclude(pk__in=before["problems"]).select_related("region")
    return generate, result, reports, problems


def test_it_generates_the_regency_with_its_tps(generated):
    _generate, result, _reports, _problems = generated
    assert result["counts"]["tps"] == 1750
    tps = Region.objects.filter(level="tps", code__startswith="35.13.")
    assert tps.count() == 1750
    assert all(
        re.fullmatch(r"35\.13\.\d{2}\.\d{4}\.\d{3}", code)
        for code in tps.values_list("code", flat=True)
    )
    per_village = Counter(tps.values_list("parent__code", flat=True))
    villages = set(
        Region.objects.filter(level="desa", code__startswith="35.13.").values_list(
            "code", flat=True
        )
    )
    assert set(per_village) == villages  # every village has its polling stations
    # numbered 001..n without gaps
    for village in list(villages)[:20]:
        numbers = sorted(
            int(c[-3:]) for c in tps.filter(parent__code=village).values_list("code", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
    # the kabupaten the loader left without an outline now has one (the map draws it)
    assert Region.objects.get(code="35.13").geometry["type"] == "Polygon"


def test_it_generates_reports_in_the_regency_with_real_structure(generated):
    _generate, result, reports, _problems = generated
    assert reports.count() == result["counts"]["reports"] == 1000
    tps_count = Counter(Region.objects.filter(level="tps").values_list("parent_id", flat=True))
    voting = 0
    for report in reports:
        region = report.region
        assert region.level in ("desa", "kecamatan")
        assert region.is_within("35.13")
        if report.tps:
            assert region.level == "desa"
            assert 1 <= int(report.tps) <= tps_count[region.pk]
        assert (
            report.observed_at <= report.received_at <= report.observed_at + dt.timedelta(hours=6)
        )
        day = report.observed_at.astimezone(WIB).date()
        assert report.stage.starts_on <= day <= report.stage.ends_on
        voting += day == dt.date(2024, 11, 27)
        assert report.checklist is None or report.checklist.stage_id == report.stage_id
    assert voting > 250  # voting day is the heaviest: about a third
    situations = Counter(reports.values_list("situation", flat=True))
    assert situations["aman"] > situations["waspada"] > situations["rawan"] > 0
    authors = set(reports.values_list("author__username", flat=True))
    assert any(a.startswith("bench-3513-") for a in authors)
    assert any(a.startswith("camat-") for a in authors)  # their kecamatan's reports


def test_it_generates_problems_spread_over_states(generated):
    _generate, result, _reports, problems = generated
    assert problems.count() == result["counts"]["problems"] == 200
    assert len(set(problems.values_list("status", flat=True))) >= 5
    assert len(set(problems.values_list("severity", flat=True))) == 4
    assert len(set(problems.values_list("category_id", flat=True))) >= 5
    for problem in problems.select_related("report"):
        assert problem.region.is_within("35.13")
        assert problem.acknowledge_due_at < problem.resolve_due_at
        if problem.status == "selesai":
            assert problem.solution and problem.resolved_at > problem.created_at
        if problem.report_id:
            assert problem.report.region_id == problem.region_id
            assert problem.created_at > problem.report.received_at
    assert problems.filter(report__isnull=False).count() > 100


def test_it_refuses_a_database_that_already_has_bench_data(generated):
    generate, _result, _reports, _problems = generated
    with pytest.raises(SystemExit):
        generate.generate("regency", scale=SCALE, quiet=True)
    # the synthetic accounts are monitors of the regency, without a usable password
    monitors = get_user_model().objects.filter(username__startswith="bench-")
    assert monitors.count() == 4
    assert not any(m.has_usable_password() for m in monitors)


def test_the_read_benchmark_measures_every_level(generated):
    read = _load("read")
    rows = read.measure(repeat=1, warmup=0, pdf=False)
    levels = {r["level"] for r in rows}
    assert levels == {"kecamatan", "regency", "province", "nation"}
    for row in rows:
        assert row["status"] == 200, row
        assert row["p95"] >= row["p50"] > 0
        assert row["queries"] > 0
    assert {r["what"] for r in rows} >= {
        "dashboard page",
        "GET /api/v1/dashboard",
        "compliance page",
        "GET /api/v1/compliance",
    }
