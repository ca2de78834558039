"""Pages of the problem inventory: the form, the list with its filters, a problem with its
timeline and the actions the user may take, attachments.

Views parse (forms), call the actions and selectors, and render. What a user may do on a
problem comes from `problems.selectors.available_actions`, never from a template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pantau.accounts import access
from pantau.accounts.access import ProblemAction
from pantau.instruction.models import Agency
from pantau.lib.errors import PantauError
from pantau.lib.views import fragment_requested
from pantau.monitoring import selectors as report_selectors
from pantau.problems import selectors
from pantau.problems.actions import do_add_attachment, do_create_problem, do_problem_action
from pantau.problems.models import Level, ProblemEvent, Status
from pantau.web import outbox
from pantau.web.forms import (
    AttachmentForm,
    ProblemActionForm,
    ProblemFilterForm,
    ProblemForm,
)
from pantau.web.reports import default_stage, operation_error_to_form

PER_PAGE = 25

# How each action is offered: its button, the label of its note and whether the note is needed
# (a hint for the person; the action itself checks what it needs).
ACTION_UI = {
    ProblemAction.VERIFY: (gettext_lazy("Verify"), gettext_lazy("Note (optional)"), False),
    ProblemAction.START: (gettext_lazy("Start handling"), gettext_lazy("Note (optional)"), False),
    ProblemAction.RESOLVE: (gettext_lazy("Mark solved"), gettext_lazy("Note (optional)"), False),
    ProblemAction.ESCALATE: (
        gettext_lazy("Escalate to the next level"),
        gettext_lazy("Why escalate?"),
        True,
    ),
    ProblemAction.TAKE_OVER: (
        gettext_lazy("Take over to your level"),
        gettext_lazy("Note (optional)"),
        False,
    ),
    ProblemAction.REFER: (
        gettext_lazy("Refer to an agency"),
        gettext_lazy("Note for the agency"),
        False,
    ),
    ProblemAction.WITHDRAW: (
        gettext_lazy("Withdraw a referral"),
        gettext_lazy("Why withdraw?"),
        False,
    ),
    ProblemAction.REJECT: (gettext_lazy("Reject"), gettext_lazy("Why reject?"), True),
    ProblemAction.DUPLICATE: (
        gettext_lazy("Mark as duplicate"),
        gettext_lazy("Note (optional)"),
        False,
    ),
    ProblemAction.REOPEN: (gettext_lazy("Reopen"), gettext_lazy("Why reopen?"), True),
    ProblemAction.ANSWER: (gettext_lazy("Answer for your agency"), gettext_lazy("Answer"), True),
    ProblemAction.COMMENT: (gettext_lazy("Add a comment"), gettext_lazy("Comment"), True),
}
DONE = {
    ProblemAction.VERIFY: gettext_lazy("The problem is verified."),
    ProblemAction.START: gettext_lazy("Handling has started."),
    ProblemAction.RESOLVE: gettext_lazy("The problem is marked solved."),
    ProblemAction.ESCALATE: gettext_lazy("The problem is escalated."),
    ProblemAction.TAKE_OVER: gettext_lazy("You have taken over the problem."),
    ProblemAction.REFER: gettext_lazy("The problem is referred."),
    ProblemAction.WITHDRAW: gettext_lazy("The referral is withdrawn."),
    ProblemAction.REJECT: gettext_lazy("The problem is rejected."),
    ProblemAction.DUPLICATE: gettext_lazy("The problem is marked as a duplicate."),
    ProblemAction.REOPEN: gettext_lazy("The problem is reopened."),
    ProblemAction.ANSWER: gettext_lazy("Your answer is recorded."),
    ProblemAction.COMMENT: gettext_lazy("Your comment is recorded."),
}


@login_required
def problem_new(request):
    """The problem form; `?report=ID` fills it from a report the user sees."""
    user = request.user
    if request.method == "POST":
        if refusal := outbox.other_user(request):
            return refusal
        if prior := outbox.already_stored(request, access.problems_for(user).filter(reporter=user)):
            return _stored(request, prior, created=False)
        form = ProblemForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem, created = do_create_problem(
                    acting_user=user,
                    client_id=data["client_id"],
                    region=data["region"],
                    title=data["title"],
                    category=data["category"],
                    severity=data["severity"],
                    description=data["description"],
                    # a chosen stage names its operation; without one, region and time find it
                    operation=data["stage"].operation if data["stage"] else None,
                    stage=data["stage"],
                    suggestion=data["suggestion"],
                    report=data["report"],
                    tps=data["tps"] or "",
                )
            except PantauError as exc:
                operation_error_to_form(form, exc)
                return _refuse(request, form, status=exc.status, error=exc)
            return _stored(request, problem, created=created)
        return _refuse(request, form, status=400)
    initial = {"region": request.GET.get("region") or report_selectors.default_report_region(user)}
    report = None
    if request.GET.get("report", "").isdigit():
        report = report_selectors.report_for(user, request.GET["report"])  # 404 outside
        initial.update(
            region=report.region.code,
            tps=report.tps.lstrip("0"),
            stage=report.stage_id,
            report=report.pk,
            description=report.narrative,
        )
    initial.setdefault("stage", default_stage(initial["region"]))
    form = ProblemForm(initial=initial, user=user)
    return render(request, "problems/new.html", {"form": form, "report": report})


def _stored(request, problem, *, created: bool):
    if created:
        note = (messages.SUCCESS, _("Problem #%(id)s recorded.") % {"id": problem.pk})
    else:
        note = (messages.INFO, _("This problem had already arrived; it is stored once."))
    return outbox.stored(
        request, problem, created=created, next_url=problem.get_absolute_url(), notes=[note]
    )


def _refuse(request, form: ProblemForm, *, status: int, error: PantauError | None = None):
    if outbox.mode(request) == outbox.QUEUE:
        return outbox.refused(form, status=status, error=error)
    return render(request, "problems/new.html", {"form": form}, status=status)


@login_required
def problem_list(request):
    """The problems the user sees, with filters; under htmx only the results."""
    user = request.user
    form = ProblemFilterForm(request.GET, user=user)
    filters = form.filters()
    now = timezone.now()
    problems = selectors.with_list_relations(
        selectors.filter_problems(access.problems_for(user), user=user, now=now, **filters)
    ).order_by("-created_at", "-id")
    page = Paginator(problems, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "now": now,
        "can_report": report_selectors.can_report(user),
    }
    template = "problems/_results.html" if fragment_requested(request) else "problems/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _panel_context(request, problem, **extra) -> dict:
    user = request.user
    actions = selectors.available_actions(user, problem)
    offered = [_action_ui(a) for a in actions if a != ProblemAction.COMMENT]
    escalation = selectors.escalation_target(user, problem)
    for item in offered:
        if item["code"] == ProblemAction.ESCALATE and escalation:
            # the receiver is named before the button is pressed
            item["label"] = _("Forward to %(name)s") % {"name": escalation["name"]}
    source_report = None
    if problem.report_id:
        source_report = report_selectors.reports_for(user).filter(pk=problem.report_id).first()
    return {
        "problem": problem,
        "actions": offered,
        "action_codes": [a.value for a in actions],
        "comment": _action_ui(ProblemAction.COMMENT) if ProblemAction.COMMENT in actions else None,
        "agencies": _agency_groups(problem) if ProblemAction.REFER in actions else [],
        "escalation": escalation,
        "can_attach": selectors.can_attach(user, problem),
        "events": _timeline_rows(selectors.timeline(problem)),
        "referrals": list(selectors.referrals(problem)),
        "attachments": list(selectors.attachments(problem)),
        "source_report": source_report,
        "overdue": problem.is_overdue(),
        **extra,
    }


def _agency_groups(problem) -> list[dict]:
    """The agencies offered for a referral (those with an account to receive it), in two
    groups: the external agencies, then the OPD."""
    groups = {
        Agency.Kind.EXTERNAL: {"label": _("External agencies"), "agencies": []},
        Agency.Kind.OPD: {"label": _("Regional agencies (OPD)"), "agencies": []},
    }
    for agency in selectors.referral_agencies(problem):
        groups[agency.kind]["agencies"].append(agency)
    return [group for group in groups.values() if group["agencies"]]


# The actions whose form also offers the problem's suggestion (saran) for editing.
SUGGESTS_IN_FORM = {
    ProblemAction.VERIFY,
    ProblemAction.START,
    ProblemAction.RESOLVE,
    ProblemAction.ESCALATE,
    ProblemAction.TAKE_OVER,
}


def _action_ui(action: ProblemAction) -> dict:
    label, note_label, note_required = ACTION_UI[action]
    return {
        "code": action.value,
        "label": label,
        "note_label": note_label,
        "note_required": note_required,
        "suggests": action in SUGGESTS_IN_FORM,
    }


def _timeline_rows(events) -> list:
    """Events with their labels and the changes they made, in words."""
    statuses, levels = dict(Status.choices), dict(Level.choices)
    kinds = dict(ProblemEvent.Kind.choices)
    rows = []
    for event in events:
        event.kind_label = kinds.get(event.kind, event.kind)
        event.status_change = event.level_change = ""
        if event.from_status and event.from_status != event.to_status:
            before = statuses.get(event.from_status, event.from_status)
            event.status_change = f"{before} → {statuses.get(event.to_status, event.to_status)}"
        if event.from_level and event.from_level != event.to_level:
            before = levels.get(event.from_level, event.from_level)
            event.level_change = f"{before} → {levels.get(event.to_level, event.to_level)}"
        rows.append(event)
    return rows


def _error(message, fields=None, code="") -> dict:
    """An error for the page: its message and, per field, one line of text."""
    lines = {
        name: " ".join(str(m) for m in value) if isinstance(value, list | tuple) else str(value)
        for name, value in (fields or {}).items()
    }
    return {"message": message, "fields": lines, "code": code}


def _posted(request) -> dict:
    """What the person sent with a failed action, to give it back to them (nothing lost)."""
    return {
        name: request.POST.get(name, "")
        for name in ("action", "note", "solution", "suggestion", "agency", "duplicate_of")
    }


def _render_problem(request, problem, *, status=200, **extra):
    """The whole page, or under htmx just the panel (after an action or an upload)."""
    context = _panel_context(request, problem, **extra)
    template = "problems/_panel.html" if fragment_requested(request) else "problems/detail.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _problem(user, pk):
    problem = access.get_problem(user, pk)  # NotFound (404) outside the territory
    return (
        type(problem)
        .objects.select_related(
            "region",
            "region__parent",
            "category",
            "stage",
            "owner",
            "reporter",
            "duplicate_of",
        )
        .get(pk=problem.pk)
    )


@login_required
def problem_detail(request, pk: int):
    return _render_problem(request, _problem(request.user, pk))


@login_required
@require_POST
def problem_action(request, pk: int):
    """Take one action. A stale version or a transition no longer allowed is a conflict (409):
    the page comes back with the problem as it is now and the person's text kept."""
    user = request.user
    problem = _problem(user, pk)
    form = ProblemActionForm(request.POST)
    if not form.is_valid():
        return _render_problem(
            request,
            problem,
            status=400,
            posted=_posted(request),
            error=_error(_("Check the form."), form.errors, "invalid"),
        )
    data = form.cleaned_data
    try:
        do_problem_action(
            problem.pk,
            acting_user=user,
            action=data["action"],
            note=data["note"],
            solution=data["solution"],
            suggestion=data["suggestion"],
            agency=data["agency"],
            duplicate_of=data["duplicate_of"],
            expected_version=data["version"],
        )
    except PantauError as exc:
        return _render_problem(
            request,
            _problem(user, pk),
            status=exc.status,
            posted=_posted(request),
            error=_error(exc.message, exc.fields, exc.code),
        )
    notice = DONE.get(data["action"], _("Done."))
    problem = _problem(user, pk)
    if data["action"] == ProblemAction.ESCALATE:  # say who received it
        receiver = selectors.seat_name(problem.owner, problem.level)
        notice = _("The problem is forwarded to %(name)s.") % {"name": receiver}
    if fragment_requested(request):
        return _render_problem(request, problem, notice=notice)
    messages.success(request, notice)
    return redirect(problem)


@login_required
@require_POST
def problem_attach(request, pk: int):
    user = request.user
    problem = _problem(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_problem(
            request,
            problem,
            status=400,
            error=_error(_("Choose a file to attach."), form.errors, "invalid"),
        )
    try:
        attachment = do_add_attachment(
            problem.pk, acting_user=user, upload=form.cleaned_data["file"]
        )
    except PantauError as exc:
        return _render_problem(
            request, problem, status=exc.status, error=_error(exc.message, exc.fields, exc.code)
        )
    notice = _("Attached: %(name)s") % {"name": attachment.name}
    if fragment_requested(request):
        return _render_problem(request, _problem(user, pk), notice=notice)
    messages.success(request, notice)
    return redirect(problem)


@login_required
def attachment(request, pk: int):
    """Download an attachment of a problem the user sees (media is never served publicly)."""
    item = selectors.attachment_for(request.user, pk)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=selectors.download_name(item),
        content_type=item.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
