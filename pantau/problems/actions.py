"""Writes of the problem inventory. The web pages, the API, ODK and the deadline job call these;
each runs in one transaction, records the timeline and the audit log, and notifies on commit."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.accounts.access import ProblemAction
from pantau.audit import log as audit
from pantau.instruction import operations
from pantau.instruction.models import DEFAULT_DEADLINES, Agency, Category, Operation, Role, Stage
from pantau.instruction.selectors import operation_for, stage_for
from pantau.lib import limits
from pantau.lib.errors import Conflict, Forbidden, Invalid
from pantau.lib.idempotency import create_once, parse_client_id
from pantau.lib.limits import check_lengths
from pantau.lib.staging import Staging
from pantau.monitoring.actions import field_region
from pantau.notify.service import notify
from pantau.problems import routing
from pantau.problems.models import (
    LEVELS,
    OPEN,
    Attachment,
    Level,
    Problem,
    ProblemEvent,
    Referral,
    Severity,
    Status,
)
from pantau.problems.owners import responsible
from pantau.problems.routing import agency_members
from pantau.regions.models import Level as RegionLevel
from pantau.regions.models import Region

# action: (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    ProblemAction.VERIFY: ((Status.BARU,), Status.DIVERIFIKASI),
    ProblemAction.START: ((Status.DIVERIFIKASI,), Status.DITANGANI),
    # The owner may resolve a verified problem directly: the start is recorded implicitly.
    ProblemAction.RESOLVE: ((Status.DIVERIFIKASI, Status.DITANGANI), Status.SELESAI),
    ProblemAction.REJECT: (OPEN, Status.DITOLAK),
    ProblemAction.DUPLICATE: (OPEN, Status.DUPLIKAT),
    ProblemAction.REOPEN: ((Status.SELESAI, Status.DITOLAK), Status.DIVERIFIKASI),
    ProblemAction.ESCALATE: (OPEN, None),
    ProblemAction.TAKE_OVER: (OPEN, None),
    ProblemAction.REFER: (OPEN, None),
    ProblemAction.WITHDRAW: (OPEN, None),
    ProblemAction.ANSWER: (tuple(Status), None),
    ProblemAction.COMMENT: (tuple(Status), None),
}
# The fields each action takes beside `note` (and `suggestion`, see SUGGESTS): anything else
# sent with it is refused (400) rather than silently dropped.
ACTION_FIELDS: dict[str, frozenset[str]] = {
    ProblemAction.RESOLVE: frozenset({"solution"}),
    ProblemAction.REFER: frozenset({"agency"}),
    ProblemAction.WITHDRAW: frozenset({"agency"}),
    ProblemAction.DUPLICATE: frozenset({"duplicate_of"}),
}
# The actions with which the one responsible may also update the problem's suggestion (saran).
SUGGESTS = frozenset(
    {
        ProblemAction.VERIFY,
        ProblemAction.START,
        ProblemAction.RESOLVE,
        ProblemAction.ESCALATE,
        ProblemAction.TAKE_OVER,
        ProblemAction.REFER,
        ProblemAction.COMMENT,
    }
)
SNAPSHOT = ("status", "level", "owner_id", "severity", "suggestion", "solution", "duplicate_of_id")


def deadlines(operation: Operation, severity: str, start: dt.datetime) -> tuple:
    hours = {**DEFAULT_DEADLINES.get(severity, {}), **(operation.deadlines or {}).get(severity, {})}
    return (
        start + dt.timedelta(hours=hours["acknowledge"]),
        start + dt.timedelta(hours=hours["resolve"]),
    )


def _snapshot(problem: Problem) -> dict:
    return {field: getattr(problem, field) for field in SNAPSHOT}


def _event(problem, kind, *, actor, before=None, note="", agency=None) -> ProblemEvent:
    before = before or {}
    return ProblemEvent.objects.create(
        problem=problem,
        actor=actor,
        kind=kind,
        note=note,
        agency=agency,
        from_status=before.get("status", ""),
        to_status=problem.status,
        from_level=before.get("level", ""),
        to_level=problem.level,
    )


def _notify_on_commit(recipients, *, event, problem, title):
    """Notify (inside the transaction; e-mail and webhooks go on commit)."""
    recipients = [u for u in recipients if u is not None]
    if recipients:
        notify(
            recipients,
            event=event,
            title=title,
            body=problem.title,
            url=problem.get_absolute_url(),
            problem=problem,
        )


def do_create_problem(*, acting_user, client_id, **problem) -> tuple[Problem, bool]:
    """Inventory a problem once; the same client_id again returns the first (created=False).
    The problem's fields are those of `prepare_problem`."""
    client_id = parse_client_id(client_id)
    return create_once(
        Problem,
        client_id,
        sender=acting_user,
        sender_field="reporter_id",
        create=lambda: _insert_problem(
            prepare_problem(acting_user=acting_user, client_id=client_id, **problem)
        ),
    )


def do_store_problem(problem: Problem) -> tuple[Problem, bool]:
    """`do_create_problem` for a problem already made by `prepare_problem` (checked before the
    caller's transaction), once by its client_id."""
    return create_once(
        Problem,
        problem.client_id,
        sender=problem.reporter,
        sender_field="reporter_id",
        create=lambda: _insert_problem(problem),
    )


def prepare_problem(
    *,
    acting_user,
    client_id,
    region: Region,
    title: str,
    category: Category,
    severity: str,
    description: str = "",
    operation: Operation | None = None,
    stage: Stage | None = None,
    suggestion: str = "",
    report=None,
    tps: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Problem:
    """The problem, checked and not saved: territory, operation, deadlines and owner are read
    here, before any write."""
    client_id = parse_client_id(client_id)
    check_lengths(
        title=(title, limits.TITLE),
        description=(description, limits.LONG_TEXT),
        suggestion=(suggestion, limits.LONG_TEXT),
    )
    region, tps = field_region(acting_user, region, tps)
    title = (title or "").strip()
    if not title:
        raise Invalid(_("Give the problem a short title."), fields={"title": _("required")})
    if severity not in Severity.values:
        raise Invalid(
            _("Severity must be rendah, sedang, tinggi or kritis."),
            fields={"severity": _("rendah, sedang, tinggi or kritis")},
        )
    if not category.is_active:
        raise Invalid(_("That category is no longer in use."), fields={"category": "?"})
    if (
        report is not None
        and report.region_id != region.pk
        and not region.is_within(report.region.code)
        and not report.region.is_within(region.code)
    ):
        raise Invalid(_("The source report is about another region."), fields={"report": "?"})
    now = timezone.now()
    if operation is None:
        operation = operation_for(region, now)
    elif not operations.holds(operation, region):
        raise Invalid(
            _("That monitoring operation does not cover this region."),
            fields={"operation": _("not covering this region")},
        )
    operations.ensure_writable(operation)
    if stage is not None and stage.operation_id != operation.pk:
        raise Invalid(_("That stage belongs to another operation."), fields={"stage": "?"})
    level = Level.DESA if region.level == RegionLevel.DESA else Level.KECAMATAN
    ack_due, resolve_due = deadlines(operation, severity, now)
    problem = Problem(
        client_id=client_id,
        operation=operation,
        title=title,
        description=(description or "").strip(),
        category=category,
        severity=severity,
        region=region,
        tps=tps or "",
        stage=stage or stage_for(operation, now),
        report=report,
        reporter=acting_user,
        suggestion=(suggestion or "").strip(),
        level=level,
        owner=responsible(level, region, operation),
        acknowledge_due_at=ack_due,
        resolve_due_at=resolve_due,
        lat=lat,
        lon=lon,
        created_at=now,
        updated_at=now,
    )
    return problem


def _insert_problem(problem: Problem) -> Problem:
    acting_user = problem.reporter
    recipients = routing.recipients("create", problem, actor=acting_user)
    with transaction.atomic():
        problem.save()
        _event(problem, ProblemEvent.Kind.CREATE, actor=acting_user, note=problem.suggestion)
        audit.record(
            actor=acting_user,
            action="problem.create",
            obj=problem,
            after={
                "title": problem.title,
                "category": problem.category.code,
                "severity": problem.severity,
                "region": problem.region.code,
                **_snapshot(problem),
                "report": problem.report_id,
            },
        )
        _notify_on_commit(
            recipients,
            event="create",
            problem=problem,
            title=_("New problem in %(region)s") % {"region": problem.region.name},
        )
    return problem


def do_problem_action(
    problem_id: int,
    *,
    acting_user,
    action: str,
    note: str = "",
    solution: str = "",
    suggestion: str = "",
    agency: Agency | None = None,
    duplicate_of: int | None = None,
    expected_version: int | None = None,
) -> Problem:
    """Take `action` on a problem: verify, start, escalate, refer, resolve, reject, duplicate,
    reopen, comment, answer. A transition the state does not allow, or a stale
    `expected_version` (someone acted first), raises Conflict and changes nothing."""
    if action not in TRANSITIONS:  # (a StrEnum key matches its plain string)
        raise Invalid(
            _("Unknown action %(action)r.") % {"action": action},
            code="unknown_action",
            fields={"action": _("unknown action")},
        )
    action = ProblemAction(action)
    check_lengths(
        note=(note, limits.LONG_TEXT),
        solution=(solution, limits.LONG_TEXT),
        suggestion=(suggestion, limits.LONG_TEXT),
    )
    note = (note or "").strip()
    sent = {
        "solution": bool((solution or "").strip()),
        "agency": agency is not None,
        "duplicate_of": bool(duplicate_of),
        "suggestion": suggestion is not None and bool(suggestion.strip()),
    }
    takes = ACTION_FIELDS.get(action, frozenset()) | (
        {"suggestion"} if action in SUGGESTS else set()
    )
    refused = sorted(name for name, given in sent.items() if given and name not in takes)
    if refused:
        raise Invalid(
            _("The action %(action)s does not take: %(fields)s.")
            % {"action": action.value, "fields": ", ".join(refused)},
            code="unexpected_field",
            fields={name: _("not taken by this action") for name in refused},
        )
    with transaction.atomic():
        access.get_problem(acting_user, problem_id)  # 404 outside the territory
        # of=("self",): only the problem's row. Without it PostgreSQL locks the joined region
        # and operation rows FOR UPDATE too, which every report's foreign-key check at COMMIT
        # must share: a report holding the audit head then deadlocked with this action waiting
        # for it (found by pantau/tests/test_load.py on PostgreSQL).
        problem = (
            Problem.objects.select_for_update(of=("self",))
            .select_related("region", "operation")
            .get(pk=problem_id)
        )
        if expected_version is not None and problem.version != expected_version:
            raise Conflict(
                _(
                    "Someone else changed this problem a moment ago. Reload the page "
                    "to see what changed, then try again."
                ),
                code="stale",
            )
        access.require_act(acting_user, problem, action)
        operations.ensure_writable(
            problem.operation, closed_allowed=access.acts_in_closed_operation(acting_user, action)
        )
        allowed_from, to_status = TRANSITIONS[action]
        if problem.status not in allowed_from:
            raise Conflict(
                _("Cannot %(action)s a problem that is %(status)s.")
                % {"action": action.value, "status": problem.get_status_display()},
                code="invalid_transition",
            )
        before = _snapshot_before = _snapshot(problem)
        previous_owner = problem.owner
        suggestion = (suggestion or "").strip()
        if suggestion and suggestion != problem.suggestion:
            if action == ProblemAction.COMMENT and not access.can_act(
                acting_user, problem, ProblemAction.VERIFY
            ):
                raise Forbidden(
                    _("Only the one responsible for the problem may change its suggestion."),
                    code="forbidden",
                )
            problem.suggestion = suggestion
            _event(
                problem,
                ProblemEvent.Kind.CHANGE,
                actor=acting_user,
                before=before,
                note=_("Suggestion: %(text)s") % {"text": suggestion},
            )
        if action == ProblemAction.RESOLVE and problem.status == Status.DIVERIFIKASI:
            problem.status = Status.DITANGANI  # the start, recorded on the timeline
            _event(problem, ProblemEvent.Kind.START, actor=acting_user, before=before)
            before = {**before, "status": Status.DITANGANI}
        handler = _HANDLERS[action]
        extra = handler(
            problem,
            acting_user=acting_user,
            note=note,
            solution=solution,
            agency=agency,
            duplicate_of=duplicate_of,
        )
        if to_status:
            problem.status = to_status
        now = timezone.now()
        problem.updated_at = now
        problem.version += 1
        problem.save()
        _event(
            problem,
            extra.get("kind", action.value),
            actor=acting_user,
            before=before,
            note=extra.get("event_note", note),
            agency=extra.get("agency"),
        )
        audit.record(
            actor=acting_user,
            action=f"problem.{action.value}",
            obj=problem,
            before=_snapshot_before,
            after=_snapshot(problem),
            note=note,
        )
        for event, title in extra.get("notify", []):
            _notify_on_commit(
                routing.recipients(
                    event,
                    problem,
                    actor=acting_user,
                    previous_owner=previous_owner,
                    agency=extra.get("agency"),
                ),
                event=event,
                problem=problem,
                title=title,
            )
    return problem


def _need(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, code="required", fields={field: _("required")})
    return value


def _verify(problem, **kw):
    return {}


def _start(problem, **kw):
    return {}


def _resolve(problem, *, acting_user, solution, note, **kw):
    problem.solution = _need(
        solution or problem.solution,
        "solution",
        _("Write the solution (solusi / tindak lanjut) before closing."),
    )
    problem.resolved_at = timezone.now()
    return {
        "event_note": note or problem.solution,
        "notify": [("resolve", _("Problem solved: %(title)s") % {"title": problem.title})],
    }


def _reject(problem, *, note, **kw):
    _need(note, "note", _("Give the reason for rejecting the problem."))
    return {"notify": [("reject", _("Problem rejected: %(title)s") % {"title": problem.title})]}


def _duplicate(problem, *, acting_user, duplicate_of, **kw):
    if not duplicate_of:
        raise Invalid(
            _("Name the problem this one duplicates."),
            code="required",
            fields={"duplicate_of": _("required")},
        )
    original = access.problems_for(acting_user).filter(pk=duplicate_of).first()
    if original is None:
        raise Invalid(
            _("Problem #%(id)s was not found in your territory.") % {"id": duplicate_of},
            fields={"duplicate_of": _("not found")},
        )
    seen, cursor = {problem.pk}, original
    while cursor is not None:  # never a cycle of duplicates
        if cursor.pk in seen:
            raise Invalid(
                _("A problem cannot duplicate itself."),
                fields={"duplicate_of": _("would make a cycle")},
            )
        seen.add(cursor.pk)
        cursor = cursor.duplicate_of
    problem.duplicate_of = original
    return {}


def _reopen(problem, *, note, **kw):
    _need(note, "note", _("Say why the problem is reopened."))
    problem.resolved_at = None
    ack_due, resolve_due = deadlines(problem.operation, problem.severity, timezone.now())
    problem.resolve_due_at, problem.resolve_escalated = resolve_due, False
    return {"notify": [("reopen", _("Problem reopened: %(title)s") % {"title": problem.title})]}


def escalation_target(problem, user) -> tuple[str, object] | None:
    """Where `user`'s escalation would take `problem`: the level above the higher of the
    problem's level and the user's own (a camat's escalation reaches the Asisten whatever the
    problem's level), with its owner (an empty seat passes up). None at the top."""
    index = LEVELS.index(problem.level)
    level = access.user_level(user)
    if level is not None and user.role != Role.ADMIN and not user.is_superuser:
        index = max(index, LEVELS.index(level))
    if index + 1 >= len(LEVELS):
        return None
    target = LEVELS[index + 1]
    return target, responsible(target, problem.region, problem.operation)


def _escalate(problem, *, acting_user, note, **kw):
    _need(note, "note", _("Give the reason for escalating."))
    target = escalation_target(problem, acting_user)
    if target is None:
        raise Conflict(
            _("The problem is already at the highest level (Pj Bupati)."), code="top_level"
        )
    problem.level, problem.owner = target
    return {
        "notify": [
            ("escalate", _("Problem escalated to you: %(title)s") % {"title": problem.title})
        ]
    }


def _take_over(problem, *, acting_user, **kw):
    problem.level = access.user_level(acting_user)
    problem.owner = acting_user
    return {
        "notify": [
            (
                "take_over",
                _("%(name)s took over: %(title)s")
                % {"name": acting_user.get_full_name(), "title": problem.title},
            )
        ]
    }


def _raise_level(problem) -> None:
    index = LEVELS.index(problem.level)
    if index + 1 >= len(LEVELS):
        raise Conflict(
            _("The problem is already at the highest level (Pj Bupati)."), code="top_level"
        )
    problem.level = LEVELS[index + 1]
    problem.owner = responsible(problem.level, problem.region, problem.operation)


def _choose_agency(agency) -> Agency:
    if agency is None or not agency.is_active:
        raise Invalid(
            _("Choose the agency to refer the problem to."),
            code="required",
            fields={"agency": _("required")},
        )
    return agency


def _refer(problem, *, acting_user, agency, note, **kw):
    agency = _choose_agency(agency)
    if problem.referrals.filter(agency=agency, withdrawn_at__isnull=True).exists():
        raise Conflict(
            _("The problem was already referred to %(agency)s.") % {"agency": agency},
            code="already_referred",
        )
    if not agency_members(agency):
        raise Invalid(
            _("%(agency)s has no account in Pantau to receive the referral.") % {"agency": agency},
            code="no_receiver",
            fields={"agency": _("no account")},
        )
    Referral.objects.create(problem=problem, agency=agency, referred_by=acting_user, note=note)
    return {
        "agency": agency,
        "notify": [
            (
                "refer",
                _("Problem referred to %(agency)s: %(title)s")
                % {"agency": agency, "title": problem.title},
            )
        ],
    }


def _withdraw(problem, *, acting_user, agency, note, **kw):
    agency = _choose_agency(agency)
    referral = (
        problem.referrals.select_for_update()
        .filter(agency=agency, withdrawn_at__isnull=True)
        .first()
    )
    if referral is None:
        raise Conflict(
            _("The problem is not referred to %(agency)s.") % {"agency": agency},
            code="not_referred",
        )
    referral.withdrawn_at, referral.withdrawn_by = timezone.now(), acting_user
    referral.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return {
        "agency": agency,
        "notify": [
            (
                "withdraw",
                _("Referral withdrawn from %(agency)s: %(title)s")
                % {"agency": agency, "title": problem.title},
            )
        ],
    }


def _answer(problem, *, acting_user, note, **kw):
    _need(note, "note", _("Write the agency's answer."))
    referral = problem.referrals.select_for_update().get(
        agency_id=access.agency_of(acting_user), withdrawn_at__isnull=True
    )
    referral.answer, referral.answered_by = note, acting_user
    referral.answered_at = timezone.now()
    referral.save(update_fields=["answer", "answered_by", "answered_at"])
    return {
        "agency": referral.agency,
        "notify": [
            (
                "answer",
                _("%(agency)s answered: %(title)s")
                % {"agency": referral.agency, "title": problem.title},
            )
        ],
    }


def _comment(problem, *, acting_user, note, **kw):
    _need(note, "note", _("Write a comment."))
    if access.can_act(acting_user, problem, ProblemAction.ANSWER):
        return {**_answer(problem, acting_user=acting_user, note=note), "kind": "answer"}
    return {}


_HANDLERS = {
    ProblemAction.VERIFY: _verify,
    ProblemAction.START: _start,
    ProblemAction.RESOLVE: _resolve,
    ProblemAction.REJECT: _reject,
    ProblemAction.DUPLICATE: _duplicate,
    ProblemAction.REOPEN: _reopen,
    ProblemAction.ESCALATE: _escalate,
    ProblemAction.TAKE_OVER: _take_over,
    ProblemAction.REFER: _refer,
    ProblemAction.WITHDRAW: _withdraw,
    ProblemAction.ANSWER: _answer,
    ProblemAction.COMMENT: _comment,
}


ATTACHMENT_TYPES = {
    b"%PDF": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG": "image/png",
    b"RIFF": "image/webp",
}


def check_attachment(upload) -> str:
    """The content type of a photo (JPEG, PNG, WebP) or a PDF, read from the file; Invalid for
    anything else or anything larger than ATTACHMENT_MAX_BYTES."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise Invalid(
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            code="too_large",
            fields={"file": _("too large")},
        )
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    content_type = next(
        (t for magic, t in ATTACHMENT_TYPES.items() if head.startswith(magic)), None
    )
    if content_type == "image/webp" and head[8:12] != b"WEBP":
        content_type = None
    if content_type is None:
        raise Invalid(
            _("Only photos (JPEG, PNG, WebP) and PDF files can be attached."),
            code="unsupported_type",
            fields={"file": _("unsupported type")},
        )
    return content_type


def stage_attachment(upload, staging: Staging) -> str:
    """Check a file and write it to storage before the caller's transaction; the stored name,
    for `do_add_attachment(..., stored=name)` inside it."""
    check_attachment(upload)
    return staging.put(Attachment._meta.get_field("file"), upload)


def do_add_attachment(problem_id: int, *, acting_user, upload, stored: str = "") -> Attachment:
    """Attach a photo (JPEG, PNG, WebP) or a PDF to a problem; the type is read from the file.
    The file is written before the transaction (and removed if it fails); `stored`:
    `stage_attachment` already wrote it."""
    problem = access.get_problem(acting_user, problem_id)
    access.require_act(acting_user, problem, ProblemAction.ATTACH)
    operations.ensure_writable(problem.operation)
    content_type = check_attachment(upload)
    name = (upload.name or "lampiran").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    with Staging() as staging:
        stored = stored or staging.put(Attachment._meta.get_field("file"), upload)
        with transaction.atomic():
            attachment = Attachment(
                problem=problem,
                name=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=acting_user,
                file=stored,
            )
            attachment.save()
            _event(problem, ProblemEvent.Kind.ATTACH, actor=acting_user, note=name)
            audit.record(
                actor=acting_user,
                action="problem.attach",
                obj=problem,
                after={"attachment": attachment.pk, "name": name, "type": content_type},
            )
        staging.keep(stored)
    return attachment


def do_mark_overdue(problem_id: int, *, now: dt.datetime | None = None) -> bool:
    """The deadline job: a problem past its deadline is marked overdue and escalated one level,
    once per deadline (verification, resolution). Returns True when it acted."""
    now = now or timezone.now()
    with transaction.atomic():
        problem = (
            Problem.objects.select_for_update(of=("self",))  # see do_problem_action
            .select_related("region", "operation")
            .filter(pk=problem_id, status__in=OPEN)
            .first()
        )
        if problem is None:
            return False
        if (
            problem.status == Status.BARU
            and not problem.acknowledge_escalated
            and problem.acknowledge_due_at <= now
        ):
            problem.acknowledge_escalated = True
            which = _("verification")
        elif not problem.resolve_escalated and problem.resolve_due_at <= now:
            problem.resolve_escalated = True
            which = _("resolution")
        else:
            return False
        before = _snapshot(problem)
        previous_owner = problem.owner
        if problem.level != LEVELS[-1]:
            _raise_level(problem)
        problem.version += 1
        problem.updated_at = now
        problem.save()
        note = _("The %(which)s deadline passed.") % {"which": which}
        _event(problem, ProblemEvent.Kind.OVERDUE, actor=None, before=before, note=note)
        audit.record(
            actor=None,
            action="problem.overdue",
            obj=problem,
            before=before,
            after=_snapshot(problem),
            note=note,
        )
        _notify_on_commit(
            routing.recipients("overdue", problem, actor=None, previous_owner=previous_owner),
            event="overdue",
            problem=problem,
            title=_("Overdue: %(title)s") % {"title": problem.title},
        )
    return True


def overdue_candidates(now: dt.datetime | None = None):
    """Problems whose next deadline has passed and that the job has not escalated for it."""
    from django.db.models import Q

    now = now or timezone.now()
    return (
        Problem.objects.filter(
            Q(status=Status.BARU, acknowledge_escalated=False, acknowledge_due_at__lte=now)
            | Q(status__in=OPEN, resolve_escalated=False, resolve_due_at__lte=now)
        )
        .filter(operation__status=Operation.Status.ACTIVE)  # a closed one escalates no more
        .values_list("pk", flat=True)
    )
