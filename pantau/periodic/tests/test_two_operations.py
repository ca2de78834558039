"""Periodic reports of two operations that overlap (the invented Pilkades 2025 loaded beside
the Pilkada 2024): each document counts only its own operation's reports, problems and
reporting compliance, over the same days and region."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command

from pantau.instruction.loader import PILKADES
from pantau.instruction.models import Category, Operation
from pantau.lib.clock import WIB
from pantau.monitoring.actions import do_submit_report
from pantau.monitoring.models import Report
from pantau.periodic.content import Spec, build
from pantau.problems.actions import do_create_problem
from pantau.problems.models import Problem
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db
PILKADA, PILKADES_CODE = "pilkada-2024-probolinggo", "pilkades-2025-probolinggo"
DAY = dt.date(2025, 10, 26)  # the Pilkades' voting day


def spec(code: str) -> Spec:
    return Spec(
        operation=Operation.objects.get(code=code),
        scope="kabupaten",
        region=Region.objects.get(code="35.13"),
        cluster=None,
        start=DAY,
        end=DAY,
    )


def test_each_document_counts_only_its_operation(users):
    call_command("loadinstruction", str(PILKADES), stdout=open("/dev/null", "w"))
    moment = dt.datetime(2025, 10, 26, 10, 0, tzinfo=WIB)
    for username, region, answers in (
        # Tongas on the Pilkades' day: the Pilkades
        (
            "camat-tongas",
            "35.13.23",
            {"panitia_pilkades_hadir": True, "surat_suara_cukup": True, "gangguan": "tidak ada"},
        ),
        (
            "camat-sumberasih",
            "35.13.21",
            {"panitia_pilkades_hadir": True, "surat_suara_cukup": True, "gangguan": "ringan"},
        ),
        # Sukapura holds no Pilkades: the Pilkada, on the same day
        ("camat-sukapura", "35.13.01", {"rekap_mulai": True, "kotak_suara_aman": True}),
    ):
        do_submit_report(
            acting_user=users[username],
            client_id=uuid.uuid4(),
            region=Region.objects.get(code=region),
            observed_at=moment,
            situation="waspada",
            answers=answers,
        )
    for username, region in (("camat-tongas", "35.13.23"), ("camat-sukapura", "35.13.01")):
        problem, _created = do_create_problem(
            acting_user=users[username],
            client_id=uuid.uuid4(),
            region=Region.objects.get(code=region),
            title="Daftar pemilih belum ditempel",
            category=Category.objects.get(code="logistik"),
            severity="sedang",
        )
        Problem.objects.filter(pk=problem.pk).update(created_at=moment, updated_at=moment)
    documents = {code: build(spec(code)) for code in (PILKADA, PILKADES_CODE)}
    for code, content in documents.items():
        reports = Report.objects.filter(
            operation__code=code, observed_at__date__gte=DAY - dt.timedelta(days=1)
        )
        own = [r for r in reports if r.observed_at.astimezone(WIB).date() == DAY]
        assert content["totals"]["reports"] == len(own), code
        own_problems = set(
            Problem.objects.filter(operation__code=code).values_list("pk", flat=True)
        )
        listed = {p["id"] for p in content["problems"]}
        assert listed and listed <= own_problems, code
        received = content["compliance"]["received"]
        assert received <= len(own), (code, content["compliance"])
    assert documents[PILKADES_CODE]["totals"]["reports"] == 2
    assert documents[PILKADA]["totals"]["reports"] == 1
    situations = {k["code"]: k["situation"] for k in documents[PILKADA]["kecamatan"]}
    # the Pilkades' waspada in Tongas is not the Pilkada's (its own problems make Sukapura's)
    assert situations["35.13.23"] == "unknown" and situations["35.13.01"] != "unknown"
    situations = {k["code"]: k["situation"] for k in documents[PILKADES_CODE]["kecamatan"]}
    assert situations["35.13.23"] == "waspada"
