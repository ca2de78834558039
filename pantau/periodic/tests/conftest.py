"""A known inventory: three problems in two kecamatan (Tongas, Paiton): one resolved, one
escalated, one overdue; and two field reports. Everything made through the actions."""

import datetime as dt

import pytest
from django.utils import timezone

from pantau.api.tests.conftest import _fresh_cache, api_as, key_for  # noqa: F401
from pantau.lib.clock import WIB
from pantau.monitoring.models import Report
from pantau.periodic.actions import do_request_report
from pantau.problems.models import Problem
from pantau.regions.models import Region

TONGAS, PAITON, KABUPATEN = "35.13.23", "35.13.12", "35.13"
RESOLVED = "Logistik TPS terlambat di Tongas"
ESCALATED = "Spanduk kampanye di masa tenang Tongas"
OVERDUE = "Bentrokan pendukung di Paiton"


@pytest.fixture
def today():
    return timezone.localtime(timezone.now(), WIB).date()


@pytest.fixture
def inventory(new_problem, new_report, act):
    resolved = new_problem(
        "camat-tongas",
        TONGAS,
        title=RESOLVED,
        suggestion="Kirim kendaraan cadangan dari kecamatan",
    )
    act(resolved, "camat-tongas", "verify")
    act(resolved, "camat-tongas", "start")
    act(resolved, "camat-tongas", "resolve", solution="Logistik diantar dengan mobil Satpol PP")
    escalated = new_problem(
        "camat-tongas",
        TONGAS,
        title=ESCALATED,
        suggestion="Tertibkan bersama Panwascam",
        severity="sedang",
        category="kampanye-apk",
    )
    act(escalated, "camat-tongas", "escalate", note="Perlu keputusan Asisten")
    overdue = new_problem(
        "camat-paiton",
        PAITON,
        title=OVERDUE,
        suggestion="Koordinasi dengan Polsek Paiton",
        severity="kritis",
        category="keamanan",
    )
    past = timezone.now() - dt.timedelta(hours=2)
    Problem.objects.filter(pk=overdue.pk).update(acknowledge_due_at=past, resolve_due_at=past)
    # Sent for voting day (its checklist), then moved into today's period.
    sent = [
        new_report("camat-tongas", TONGAS, situation="waspada"),
        new_report("camat-paiton", PAITON, situation="rawan"),
    ]
    Report.objects.filter(pk__in=[r.pk for r in sent]).update(observed_at=timezone.now())
    return {"resolved": resolved, "escalated": escalated, "overdue": overdue}


@pytest.fixture
def generated(django_capture_on_commit_callbacks, users, today):
    """Request a report as `username` and let the task queue (immediate in tests) render it."""

    def _generate(username="bupati", scope="kabupaten", code=KABUPATEN, cluster=None, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            report = do_request_report(
                acting_user=users[username] if username else None,
                scope=scope,
                region=Region.objects.get(code=code),
                cluster=cluster,
                start=kw.get("start", today),
                end=kw.get("end", today),
            )
        report.refresh_from_db()
        return report

    return _generate


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
