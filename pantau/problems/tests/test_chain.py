"""The chain of responsibility: escalation goes above the one who escalates, a seat above the
problem may take it over instead, an agency answers what is referred to it (and loses it when
the referral is withdrawn), and a suggestion sent with an action changes the problem."""

import pytest

from pantau.accounts import access
from pantau.audit.models import AuditEntry
from pantau.instruction.models import Agency
from pantau.lib.errors import Conflict, Forbidden, NotFound
from pantau.problems.models import Problem
from pantau.problems.selectors import available_actions, escalation_target

pytestmark = pytest.mark.django_db

CAMAT, ASISTEN, BUPATI = "camat-sukapura", "asisten-pemkesra", "bupati"
TITLES = {
    CAMAT: "Camat Sukapura",
    ASISTEN: "Asisten Pemerintahan dan Kesejahteraan Rakyat",
    BUPATI: "Penjabat Bupati Probolinggo",
}


@pytest.fixture
def at_level(new_problem, act):
    """A tinggi problem of Ngadisari taken to `level` by its seat (desa: as filed)."""

    def _at(level):
        problem = new_problem()
        seat = {"kecamatan": CAMAT, "koordinator": ASISTEN, "kabupaten": BUPATI}.get(level)
        if seat:
            problem = act(problem, seat, "take_over")
        assert problem.level == level
        return problem

    return _at


# who acts, on a problem at which level: (escalate reaches (level, owner) | error,
#                                         take over reaches level | error)
MATRIX = [
    (CAMAT, "desa", ("koordinator", ASISTEN), "kecamatan"),
    (CAMAT, "kecamatan", ("koordinator", ASISTEN), Forbidden),
    (CAMAT, "koordinator", Forbidden, Forbidden),
    (ASISTEN, "desa", ("kabupaten", BUPATI), "koordinator"),
    (ASISTEN, "kecamatan", ("kabupaten", BUPATI), "koordinator"),
    (ASISTEN, "koordinator", ("kabupaten", BUPATI), Forbidden),
    (ASISTEN, "kabupaten", Forbidden, Forbidden),
    (BUPATI, "desa", Conflict, "kabupaten"),
    (BUPATI, "koordinator", Conflict, "kabupaten"),
    (BUPATI, "kabupaten", Conflict, Forbidden),
]


@pytest.mark.parametrize("who,level,escalates_to,takes_to", MATRIX)
def test_take_over_versus_escalate_at_each_level(
    at_level, act, users, who, level, escalates_to, takes_to
):
    problem = at_level(level)
    offered = available_actions(users[who], problem)
    target = escalation_target(users[who], problem)
    if isinstance(escalates_to, tuple):
        # named before the button is pressed, by the receiver's position
        assert "escalate" in offered
        assert target == {
            "level": escalates_to[0],
            "owner": escalates_to[1],
            "name": TITLES[escalates_to[1]],
        }
        escalated = act(problem, who, "escalate", note="Perlu keputusan di atas")
        assert (escalated.level, escalated.owner.username) == escalates_to
        assert escalated.events.last().kind == "escalate"
        problem = at_level(level)  # a fresh one for the take over
    else:
        assert "escalate" not in offered and target is None
        with pytest.raises(escalates_to):
            act(problem, who, "escalate", note="x")
    offered = available_actions(users[who], problem)
    if isinstance(takes_to, str):
        assert "take_over" in offered
        taken = act(problem, who, "take_over", note="Saya tangani langsung")
        assert (taken.level, taken.owner.username) == (takes_to, who)
        assert taken.events.last().kind == "take_over"
        entry = AuditEntry.objects.filter(object_id=str(problem.pk)).order_by("pk").last()
        assert entry.action == "problem.take_over"
        assert entry.before["owner_id"] != entry.after["owner_id"] == users[who].pk
    else:
        assert "take_over" not in offered
        before = Problem.objects.filter(pk=problem.pk).values().get()
        with pytest.raises(takes_to):
            act(problem, who, "take_over")
        assert Problem.objects.filter(pk=problem.pk).values().get() == before


def test_a_village_never_takes_over_and_escalates_to_its_camat(new_problem, act, users):
    problem = new_problem()
    assert "take_over" not in available_actions(users["desa-3513012001"], problem)
    assert escalation_target(users["desa-3513012001"], problem)["owner"] == CAMAT


# Referrals to an internal OPD


TONGAS = "camat-tongas"  # dinkes is not among the OPD assigned to Tongas: it sees by referral


@pytest.fixture
def referred(new_problem, act):
    problem = new_problem(username=TONGAS, region="35.13.23")
    act(problem, TONGAS, "verify")
    act(problem, TONGAS, "refer", agency=Agency.objects.get(code="dinkes"), note="Ada korban")
    return Problem.objects.get(pk=problem.pk)


def test_the_opd_sees_answers_and_comments_on_a_referral(referred, act, users, login):
    dinkes = users["opd-dinkes"]
    assert access.get_problem(dinkes, referred.pk) == referred
    assert set(available_actions(dinkes, referred)) == {"answer", "comment"}
    page = login("opd-dinkes").get(referred.get_absolute_url())
    assert page.status_code == 200 and "Ada korban" in page.content.decode()

    act(referred, "opd-dinkes", "answer", note="Ambulans dikirim dari Puskesmas Sukapura")
    referral = referred.referrals.get()
    assert referral.answer == "Ambulans dikirim dari Puskesmas Sukapura"
    assert referral.answered_by == dinkes
    act(referred, "opd-dinkes", "comment", note="Pasien sudah ditangani")
    assert referred.referrals.get().answer == "Pasien sudah ditangani"  # its latest word
    assert list(referred.events.values_list("kind", flat=True))[-2:] == ["answer", "answer"]
    for action, extra in (
        ("verify", {}),
        ("escalate", {"note": "x"}),
        ("resolve", {"solution": "x"}),
    ):
        with pytest.raises(Forbidden):  # it answers, it does not run the problem
            act(referred, "opd-dinkes", action, **extra)
    # an OPD it was not referred to sees nothing
    with pytest.raises(NotFound):
        access.get_problem(users["opd-bpbd"], referred.pk)


def test_a_withdrawn_referral_is_gone_for_the_opd(referred, act, users, login):
    dinkes = Agency.objects.get(code="dinkes")
    act(referred, TONGAS, "withdraw", agency=dinkes, note="Sudah ditangani Puskesmas")
    referral = referred.referrals.get()
    assert referral.withdrawn_at and referral.withdrawn_by == users[TONGAS]
    assert referred.events.last().kind == "withdraw"
    assert AuditEntry.objects.filter(object_id=str(referred.pk), action="problem.withdraw").exists()
    with pytest.raises(NotFound):
        access.get_problem(users["opd-dinkes"], referred.pk)
    client = login("opd-dinkes")
    assert client.get(referred.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/problems/{referred.pk}").status_code in (401, 404)
    with pytest.raises(NotFound):
        act(referred, "opd-dinkes", "comment", note="Masih bisa?")
    # referred again, it is theirs again; the withdrawn one stays on the record
    act(referred, TONGAS, "refer", agency=dinkes, note="Perlu lagi")
    assert referred.referrals.count() == 2
    assert access.get_problem(users["opd-dinkes"], referred.pk)


def test_after_the_problem_is_closed_the_opd_only_reads(referred, act, users, login):
    act(referred, "opd-dinkes", "answer", note="Ditangani")
    act(referred, TONGAS, "resolve", solution="Korban dirawat di Puskesmas")
    closed = Problem.objects.get(pk=referred.pk)
    assert access.get_problem(users["opd-dinkes"], closed.pk)
    assert available_actions(users["opd-dinkes"], closed) == []
    for action in ("answer", "comment"):
        with pytest.raises(Forbidden):
            act(closed, "opd-dinkes", action, note="Tambahan")
    page = login("opd-dinkes").get(closed.get_absolute_url())
    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()  # no form to act with


def test_referring_to_an_agency_without_an_account_is_refused(new_problem, act):
    from pantau.lib.errors import Invalid
    from pantau.problems.routing import agency_members

    problem = new_problem(username=TONGAS, region="35.13.23")
    silent = next(a for a in Agency.objects.filter(is_active=True) if not agency_members(a))
    with pytest.raises(Invalid) as info:
        act(problem, TONGAS, "refer", agency=silent)
    assert info.value.code == "no_receiver"


# A suggestion sent with an action


def test_a_suggestion_sent_with_an_action_changes_the_problem_on_the_timeline_and_audit(
    new_problem, act, login
):
    problem = new_problem(suggestion="Kirim kotak cadangan")
    act(problem, CAMAT, "verify", suggestion="Pinjam kotak dari Desa Wonotoro")
    problem.refresh_from_db()
    assert problem.suggestion == "Pinjam kotak dari Desa Wonotoro"
    change, verify = list(problem.events.order_by("-pk")[:2])[::-1]
    assert (change.kind, verify.kind) == ("change", "verify")
    assert "Pinjam kotak dari Desa Wonotoro" in change.note
    entry = AuditEntry.objects.filter(object_id=str(problem.pk)).order_by("pk").last()
    assert entry.action == "problem.verify"
    assert entry.before["suggestion"] == "Kirim kotak cadangan"
    assert entry.after["suggestion"] == "Pinjam kotak dari Desa Wonotoro"
    page = login(CAMAT).get(problem.get_absolute_url()).content.decode()
    assert "Pinjam kotak dari Desa Wonotoro" in page
    # the same suggestion again is no change
    act(problem, CAMAT, "start", suggestion="Pinjam kotak dari Desa Wonotoro")
    assert problem.events.filter(kind="change").count() == 1


def test_a_suggestion_by_a_reader_or_with_an_action_that_takes_none_is_refused(new_problem, act):
    from pantau.lib.errors import Invalid

    problem = new_problem()
    with pytest.raises(Invalid) as info:
        act(problem, CAMAT, "reject", note="Ganda", suggestion="Abaikan")
    assert info.value.code == "unexpected_field" and "suggestion" in info.value.fields
    act(problem, CAMAT, "take_over")
    with pytest.raises(Forbidden):  # the village only comments now
        act(problem, "desa-3513012001", "comment", note="Tolong", suggestion="Ganti saran")
    assert Problem.objects.get(pk=problem.pk).suggestion == ""
