"""A problem walks from a village up to the Pj Bupati and back to `selesai`, through every state
and action, with the right owner and notifications at each level."""

import pytest
from django.utils import translation

from pantau.audit.models import AuditEntry
from pantau.lib.errors import Conflict, Forbidden, Invalid, NotFound
from pantau.notify.models import Notification
from pantau.problems.models import Problem, Status

pytestmark = pytest.mark.django_db


def notified(username, event):
    return Notification.objects.filter(user__username=username, event=event).count()


def test_from_a_village_to_the_pj_bupati_and_back_to_solved(
    users, new_problem, act, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()  # forget the demo's own examples
    with django_capture_on_commit_callbacks(execute=True):
        problem = new_problem()
    assert (problem.status, problem.level) == ("baru", "desa")
    assert problem.owner.username == "desa-3513012001"  # the village account of Ngadisari
    assert problem.stage is not None
    # the routing: its camat, and (tinggi) the cluster's Asisten; never the filer himself
    assert notified("desa-3513012001", "create") == 0
    assert notified("camat-sukapura", "create") == 1
    assert notified("asisten-pemkesra", "create") == 1
    assert notified("bupati", "create") == 0

    act(problem, "desa-3513012001", "verify")
    act(problem, "desa-3513012001", "start", note="Menghubungi PPS")
    with django_capture_on_commit_callbacks(execute=True):
        problem = act(problem, "desa-3513012001", "escalate", note="Perlu bantuan kecamatan")
    assert (problem.status, problem.level, problem.owner.username) == (
        "ditangani",
        "kecamatan",
        "camat-sukapura",
    )
    assert notified("camat-sukapura", "escalate") == 1

    with pytest.raises(Forbidden):  # the village is now below the problem's level
        act(problem, "desa-3513012001", "resolve", solution="x")
    assert Problem.objects.get(pk=problem.pk).status == "ditangani"

    with django_capture_on_commit_callbacks(execute=True):
        problem = act(problem, "camat-sukapura", "escalate", note="Perlu koordinasi Asisten")
    assert (problem.level, problem.owner.username) == ("koordinator", "asisten-pemkesra")
    assert notified("asisten-pemkesra", "escalate") == 1

    from pantau.instruction.models import Agency

    with django_capture_on_commit_callbacks(execute=True):
        act(
            problem,
            "asisten-pemkesra",
            "refer",
            agency=Agency.objects.get(code="bawaslu"),
            note="Mohon tindak lanjut",
        )
    assert notified("bawaslu", "refer") == 1
    with django_capture_on_commit_callbacks(execute=True):
        act(problem, "bawaslu", "comment", note="Panwascam Sukapura sudah ke lokasi")
    referral = problem.referrals.get()
    assert referral.answer == "Panwascam Sukapura sudah ke lokasi"
    assert notified("asisten-pemkesra", "answer") == 1

    with django_capture_on_commit_callbacks(execute=True):
        problem = act(problem, "asisten-pemkesra", "escalate", note="Butuh keputusan Pj Bupati")
    assert (problem.level, problem.owner.username) == ("kabupaten", "bupati")
    assert notified("bupati", "escalate") == 1
    with pytest.raises(Conflict):  # nowhere higher to go
        act(problem, "bupati", "escalate", note="?")

    with pytest.raises(Invalid):  # solved needs a solution
        act(problem, "bupati", "resolve")
    with django_capture_on_commit_callbacks(execute=True):
        problem = act(
            problem, "bupati", "resolve", solution="Logistik dikirim ulang dengan kendaraan Kodim"
        )
    assert problem.status == "selesai" and problem.resolved_at
    assert notified("desa-3513012001", "resolve") == 1  # the reporter hears it was solved

    kinds = list(problem.events.values_list("kind", flat=True))
    assert kinds == [
        "create",
        "verify",
        "start",
        "escalate",
        "escalate",
        "refer",
        "answer",
        "escalate",
        "resolve",
    ]
    timeline = list(problem.events.all())
    assert all(e.actor is not None for e in timeline)
    assert timeline[3].from_level == "desa" and timeline[3].to_level == "kecamatan"
    assert AuditEntry.objects.filter(
        object_type="problem", object_id=str(problem.pk)
    ).count() == len(kinds)


def test_reject_reopen_and_duplicate(users, new_problem, act):
    original = new_problem(title="Surat suara kurang")
    copy = new_problem(title="Surat suara kurang (lagi)")
    with pytest.raises(Invalid):
        act(copy, "desa-3513012001", "reject")  # a reason is required
    copy = act(copy, "desa-3513012001", "reject", note="Laporan ganda")
    assert copy.status == "ditolak"
    copy = act(copy, "desa-3513012001", "reopen", note="Ternyata berbeda TPS")
    assert copy.status == "diverifikasi"
    copy = act(copy, "camat-sukapura", "duplicate", duplicate_of=original.pk)
    assert copy.status == "duplikat" and copy.duplicate_of == original
    with pytest.raises(Conflict):
        act(copy, "camat-sukapura", "verify")
    with pytest.raises(Invalid):  # no cycles
        act(original, "camat-sukapura", "duplicate", duplicate_of=copy.pk)
    solved = act(
        act(act(original, "camat-sukapura", "verify"), "camat-sukapura", "start"),
        "camat-sukapura",
        "resolve",
        solution="Ditambah dari cadangan",
    )
    reopened = act(solved, "camat-sukapura", "reopen", note="Masih kurang")
    assert reopened.status == "diverifikasi" and reopened.resolved_at is None


@pytest.mark.parametrize(
    "status_path,action",
    [
        ([], "start"),
        ([], "resolve"),
        (["verify"], "verify"),
        ([], "reopen"),
        (["verify", "start"], "start"),
    ],
)
def test_a_transition_not_allowed_changes_nothing(new_problem, act, status_path, action):
    problem = new_problem(username="camat-sukapura", region="35.13.01")
    for step in status_path:
        problem = act(problem, "camat-sukapura", step)
    before = (Problem.objects.filter(pk=problem.pk).values().get(), problem.events.count())
    with translation.override("id"), pytest.raises(Conflict) as info:
        extra = {"solution": "x"} if action == "resolve" else {}
        act(problem, "camat-sukapura", action, note="x", **extra)
    assert info.value.status == 409 and "tidak dapat" in info.value.message.lower()
    assert (Problem.objects.filter(pk=problem.pk).values().get(), problem.events.count()) == before


def test_outside_the_territory_nothing_is_seen_or_changed(new_problem, act):
    problem = new_problem(username="camat-sukapura", region="35.13.01")
    before = Problem.objects.filter(pk=problem.pk).values().get()
    for username in (
        "camat-paiton",
        "asisten-ekbang",
        "desa-3513012001",
        "bawaslu",
        "opd-bakesbangpol",
    ):
        with pytest.raises((NotFound, Forbidden)):
            act(problem, username, "verify")
    # the village sees the kecamatan's problem? no: its territory is its village only
    assert Problem.objects.filter(pk=problem.pk).values().get() == before


def test_a_problem_starts_at_the_level_of_its_region(new_problem):
    assert new_problem().level == "desa"
    kecamatan = new_problem(username="camat-tongas", region="35.13.23")
    assert kecamatan.level == "kecamatan" and kecamatan.owner.username == "camat-tongas"
    no_village_account = new_problem(username="camat-tongas", region="35.13.23.2001")
    assert no_village_account.level == "desa"
    assert no_village_account.owner.username == "camat-tongas"  # nobody at the desa: the camat


def test_the_second_of_two_simultaneous_actions_gets_a_conflict(new_problem, act):
    problem = new_problem(username="camat-sukapura", region="35.13.01")
    seen_by_both = problem.version
    act(problem, "camat-sukapura", "verify", expected_version=seen_by_both)
    with pytest.raises(Conflict) as info:
        act(
            problem,
            "asisten-pemkesra",
            "reject",
            note="tidak relevan",
            expected_version=seen_by_both,
        )
    assert info.value.code == "stale"
    assert Problem.objects.get(pk=problem.pk).status == Status.DIVERIFIKASI


def test_the_same_problem_sent_five_times_is_stored_once(new_problem):
    import uuid

    client_id = uuid.uuid4()
    problems = {new_problem(client_id=client_id).pk for _ in range(5)}
    assert len(problems) == 1
    assert Problem.objects.filter(client_id=client_id).count() == 1
    with pytest.raises(Conflict):  # someone else reusing the id gets no one else's problem
        new_problem(username="camat-sukapura", region="35.13.01", client_id=client_id)
