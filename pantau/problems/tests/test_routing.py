"""The instruction's `routing:` section, rule by rule: who is told of each event, whose list a
new problem enters, and that a changed file changes it. The shipped file is the one the test
database was set up with."""

import datetime as dt
import re

import pytest
import time_machine

from pantau.instruction.loader import SHIPPED, apply_instruction
from pantau.instruction.models import Agency, Operation
from pantau.notify.models import Notification
from pantau.problems.selectors import waiting_q
from pantau.problems.tasks import escalate_overdue_problems

pytestmark = pytest.mark.django_db
START = dt.datetime(2024, 11, 27, 1, 0, tzinfo=dt.UTC)  # 08:00 WIB on voting day
CHAIN = ("desa-3513012001", "camat-sukapura", "asisten-pemkesra", "bupati")


@pytest.fixture(autouse=True)
def quiet(db):
    Notification.objects.all().delete()  # forget the demo's own examples


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """Run `fn` with its on-commit notifications, return who was told of `event` by it."""

    def _told(event, fn, *args, **kw):
        before = set(Notification.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(*args, **kw)
        told = set(
            Notification.objects.filter(event=event)
            .exclude(pk__in=before)
            .values_list("user__username", flat=True)
        )
        return told, result

    return _told


def in_verify_list(username, problem, users) -> bool:
    from pantau.accounts import access

    user = users[username]
    return (
        access.problems_for(user).filter(waiting_q(user, "verify")).filter(pk=problem.pk).exists()
    )


@pytest.mark.parametrize(
    "severity,expected",
    [
        ("rendah", {"camat-sukapura"}),
        ("sedang", {"camat-sukapura"}),
        ("tinggi", {"camat-sukapura", "asisten-pemkesra"}),
        ("kritis", {"camat-sukapura", "asisten-pemkesra", "bupati"}),
    ],
)
def test_a_village_problem_reaches_its_camat_and_by_severity_the_asisten_and_bupati(
    told, new_problem, users, severity, expected
):
    recipients, problem = told("create", new_problem, severity=severity)
    assert recipients == expected  # never the village head who filed it
    for username in CHAIN[1:]:
        assert in_verify_list(username, problem, users) == (username in expected), username
    assert in_verify_list("desa-3513012001", problem, users)  # its owner verifies it too
    assert not in_verify_list("camat-paiton", problem, users)  # another kecamatan's camat


def test_the_camat_filing_himself_is_not_told_but_his_asisten_is(told, new_problem):
    recipients, problem = told("create", new_problem, username="camat-sukapura", region="35.13.01")
    assert problem.owner.username == "camat-sukapura"
    assert recipients == {"asisten-pemkesra"}


def test_another_cluster_hears_of_nothing(told, new_problem):
    recipients, _problem = told(
        "create", new_problem, username="camat-paiton", region="35.13.12", severity="kritis"
    )
    assert recipients == {"asisten-ekbang", "bupati"}


def test_an_escalation_tells_the_new_owner_only(told, new_problem, act):
    problem = new_problem()
    recipients, problem = told("escalate", act, problem, "camat-sukapura", "escalate", note="x")
    assert problem.owner.username == "asisten-pemkesra"
    assert recipients == {"asisten-pemkesra"}  # not the village head who owned it


def test_a_take_over_tells_the_previous_owner(told, new_problem, act):
    problem = new_problem()
    recipients, problem = told("take_over", act, problem, "asisten-pemkesra", "take_over")
    assert (problem.level, problem.owner.username) == ("koordinator", "asisten-pemkesra")
    assert recipients == {"desa-3513012001"}


def test_a_referral_and_its_withdrawal_tell_the_agency_and_its_answer_the_owner(
    told, new_problem, act
):
    problem = new_problem(username="camat-sukapura", region="35.13.01")
    dinkes = Agency.objects.get(code="dinkes")
    recipients, _p = told("refer", act, problem, "camat-sukapura", "refer", agency=dinkes)
    assert recipients == {"opd-dinkes"}
    recipients, _p = told("answer", act, problem, "opd-dinkes", "answer", note="Puskesmas siap")
    assert recipients == {"camat-sukapura"}
    recipients, _p = told("withdraw", act, problem, "camat-sukapura", "withdraw", agency=dinkes)
    assert recipients == {"opd-dinkes"}


def test_resolve_and_reject_tell_the_reporter_reopen_the_owner(told, new_problem, act):
    problem = new_problem()
    act(act(problem, "camat-sukapura", "take_over"), "camat-sukapura", "verify")
    recipients, _p = told("resolve", act, problem, "camat-sukapura", "resolve", solution="Beres")
    assert recipients == {"desa-3513012001"}
    recipients, _p = told("reopen", act, problem, "asisten-pemkesra", "reopen", note="Belum")
    assert recipients == {"camat-sukapura"}
    recipients, _p = told("reject", act, problem, "camat-sukapura", "reject", note="Ganda")
    assert recipients == {"desa-3513012001"}
    # the reporter who rejects his own problem is not told of it
    own = new_problem()
    recipients, _p = told("reject", act, own, "desa-3513012001", "reject", note="Keliru")
    assert recipients == set()


def test_an_overdue_problem_tells_its_owner_and_the_level_above(told, new_problem):
    with time_machine.travel(START, tick=False):
        problem = new_problem(severity="kritis")
    with time_machine.travel(START + dt.timedelta(minutes=61), tick=False):
        recipients, count = told("overdue", escalate_overdue_problems.call_local)
    assert count == 1
    problem.refresh_from_db()
    assert (problem.level, problem.owner.username) == ("kecamatan", "camat-sukapura")
    assert recipients == {"desa-3513012001", "camat-sukapura"}


def test_a_changed_file_changes_who_is_told_and_whose_list(tmp_path, told, new_problem, act, users):
    text = SHIPPED.read_text(encoding="utf-8")
    old = "    - to: bupati                  # the Pj Bupati at once\n      severity: kritis\n"
    assert old in text
    # the Pj Bupati hears of every tinggi problem too; the Asisten of none at creation
    text = text.replace(old, "    - to: bupati\n      severity: [tinggi, kritis]\n", 1)
    old = (
        "    - to: coordinator             # the cluster's Asisten\n"
        "      severity: [tinggi, kritis]\n      waiting: true\n"
    )
    assert old in text
    text = text.replace(old, "    - to: level_above\n      levels: [kecamatan]\n", 1)
    text = text.replace("  resolve:\n    - to: reporter\n", "  resolve:\n    - to: camat\n", 1)
    path = tmp_path / "instruksi.yaml"
    path.write_text(text, encoding="utf-8")
    apply_instruction(path)
    operation = Operation.objects.get(code=users["bupati"].position.operation.code)
    assert operation.routing["resolve"] == [
        {"to": ["camat"], "levels": [], "severity": [], "waiting": False}
    ]

    recipients, problem = told("create", new_problem, severity="tinggi")
    assert recipients == {"camat-sukapura", "bupati"}
    assert in_verify_list("bupati", problem, users)
    assert not in_verify_list("asisten-pemkesra", problem, users)
    # a kecamatan's own problem: its level above is the Asisten
    recipients, _p = told(
        "create", new_problem, username="camat-sukapura", region="35.13.01", severity="sedang"
    )
    assert recipients == {"asisten-pemkesra"}
    act(problem, "bupati", "verify")
    recipients, _p = told("resolve", act, problem, "bupati", "resolve", solution="Beres")
    assert recipients == {"camat-sukapura"}  # the reporter is no longer told


def test_a_file_without_the_section_follows_the_shipped_rules(told, new_problem, users):
    operation = users["bupati"].position.operation
    operation.routing = {}
    operation.save(update_fields=["routing"])
    recipients, _p = told("create", new_problem, severity="kritis")
    assert recipients == {"camat-sukapura", "asisten-pemkesra", "bupati"}


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            "  escalate:\n    - to: owner ",
            "  escalate:\n    - waiting: true\n      to: owner ",
            ("routing.escalate[0].waiting", "hanya aturan create"),
        ),
        (
            "  resolve:\n    - to: reporter\n",
            "  resolve:\n    - to: kepala_desa\n",
            ("routing.resolve[0].to[0]", "owner"),
        ),
        (
            "  reopen:\n    - to: owner\n",
            "  reopen:\n    - to: owner\n  archive:\n    - to: owner\n",
            ("routing.archive",),
        ),
        (
            "    - to: bupati                  # the Pj Bupati at once\n      severity: kritis\n",
            "    - to: bupati\n      severity: gawat\n",
            ("routing.create[2].severity", "kritis"),
        ),
    ],
)
def test_loadinstruction_check_refuses_a_bad_routing_section_clearly(tmp_path, old, new, expected):
    from django.core.management import CommandError, call_command
    from django.utils import translation

    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "instruksi.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = Operation.objects.values_list("routing", flat=True).get()
    with translation.override("id"), pytest.raises(CommandError) as info:
        call_command("loadinstruction", str(path), "--check")
    message = str(info.value)
    line = text.replace(old, new, 1)[: text.index(old)].count("\n") + 2
    found = re.search(r"instruksi\.yaml:(\d+)", message)  # the file and the line of the key
    assert found and abs(int(found.group(1)) - line) <= 3, message
    for part in expected:
        assert part in message, message
    assert Operation.objects.values_list("routing", flat=True).get() == before
