"""An operation's life: `pantau operation list|close|open`, the admin's actions, and what a
closed operation refuses (new reports, problems, actions) and keeps (everything readable)."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from pantau.audit.models import AuditEntry
from pantau.conftest import NGADISARI
from pantau.instruction.models import Operation
from pantau.instruction.operations import OperationClosed
from pantau.monitoring.models import Report
from pantau.problems.models import Problem

pytestmark = pytest.mark.django_db

PILKADA = "pilkada-2024-probolinggo"


def run(*args) -> str:
    out = io.StringIO()
    call_command("operation", *args, stdout=out)
    return out.getvalue()


def test_it_lists_closes_and_opens_an_operation_audited():
    assert "pilkada-2024-probolinggo" in run("list") and "aktif" in run("list")
    said = run("close", PILKADA, "--note", "selesai")
    assert "pantau operation open pilkada-2024-probolinggo" in said  # what to do next
    operation = Operation.objects.get(code=PILKADA)
    assert operation.status == "closed" and not operation.is_active
    entry = AuditEntry.objects.filter(action="operation.close").latest("pk")
    assert (entry.before, entry.after, entry.note) == (
        {"status": "active"},
        {"status": "closed"},
        "selesai",
    )
    assert "ditutup" in run("list")
    with pytest.raises(CommandError, match="sudah"):
        run("close", PILKADA)
    run("open", PILKADA)
    assert Operation.objects.get(code=PILKADA).status == "active"
    assert AuditEntry.objects.filter(action="operation.open").exists()


def test_an_unknown_code_names_the_known_ones():
    with pytest.raises(CommandError, match=PILKADA):
        run("close", "pilkada-2029")


def test_a_closed_operation_refuses_new_reports_problems_and_actions(new_report, new_problem, act):
    report = new_report()
    problem = new_problem()
    act(problem, "camat-sukapura", "verify")
    run("close", PILKADA)
    with pytest.raises(OperationClosed, match="ditutup"):
        new_report()
    with pytest.raises(OperationClosed):
        new_problem()
    with pytest.raises(OperationClosed):
        act(problem, "camat-sukapura", "start")
    # nothing of it was lost
    assert Report.objects.filter(pk=report.pk).exists()
    assert Problem.objects.get(pk=problem.pk).status == "diverifikasi"


def test_the_pj_bupati_may_still_reopen_a_problem(new_problem, act):
    problem = new_problem()
    act(problem, "camat-sukapura", "verify")
    act(problem, "camat-sukapura", "start")
    act(problem, "camat-sukapura", "resolve", solution="Kotak suara sudah tiba")
    run("close", PILKADA)
    with pytest.raises(OperationClosed):
        act(problem, "camat-sukapura", "comment", note="?")
    reopened = act(problem, "bupati", "reopen", note="Belum selesai")
    assert reopened.status != "selesai"


def test_the_web_form_says_why(login, new_report):
    run("close", PILKADA)
    client = login("desa-3513012001")
    response = client.post(
        "/laporan/baru/",
        {
            "client_id": str(uuid.uuid4()),
            "region": NGADISARI,
            "situation": "aman",
            "observed_at": "2024-11-27T09:30",
        },
    )
    assert response.status_code == 409
    assert "ditutup" in response.content.decode()


def test_the_admin_closes_with_an_audit_entry(login):
    client = login("admin")
    operation = Operation.objects.get(code=PILKADA)
    response = client.post(
        "/admin/instruction/operation/",
        {"action": "close_operations", "_selected_action": [operation.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Operation.objects.get(pk=operation.pk).status == "closed"
    entry = AuditEntry.objects.filter(action="operation.close").latest("pk")
    assert entry.actor_id is not None


def test_a_closed_operation_is_not_reloaded_silently(tmp_path):
    from pantau.instruction.loader import SHIPPED

    run("close", PILKADA)
    with pytest.raises(CommandError, match="pantau operation open"):
        call_command("loadinstruction", str(SHIPPED), stdout=io.StringIO())
