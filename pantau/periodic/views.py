"""Pages of periodic reports: the list with the request form, a report (status, files, the
recommendations and the submit/receive buttons the user may use), a file download.

Requesting never waits for the files: the report is created and the task queue renders it; the
page shows "being generated" and polls (htmx) until it is ready."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pantau.accounts import access
from pantau.figures import desk
from pantau.lib.errors import PantauError
from pantau.lib.views import fragment_requested, pantau_error_to_form
from pantau.periodic import actions, selectors
from pantau.periodic.forms import RecommendationsForm, RequestForm
from pantau.periodic.models import CONTENT_TYPES, FORMATS

PER_PAGE = 25


@login_required
def report_list(request):
    user = request.user
    choice = _choice(request)
    form = RequestForm(request.POST or None, user=user, operation=choice.filter)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = actions.do_request_report(
                acting_user=user,
                **data["target"],
                start=data["period_start"],
                end=data["period_end"],
                letter_date=data.get("letter_date"),
            )
        except PantauError as exc:
            pantau_error_to_form(form, exc)
        else:
            # no flash message: the panel says it is being generated, and then shows the files
            return redirect(report)
    reports = selectors.reports_for(user)
    if choice.filter is not None:
        reports = reports.filter(operation=choice.filter)
    reports = reports.select_related("region", "cluster", "created_by").order_by(
        "-created_at", "-id"
    )
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    can_request = bool(form.fields["target"].choices)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "periodic/list.html",
        {"form": form, "page": page, "can_request": can_request, "choice": choice},
        status=status,
    )


def _choice(request) -> desk.Choice:
    """The operation the list and the request form are of (figures.desk), seen from the
    user's first top region; none without one."""
    top = access.top_regions(request.user).order_by("code").first()
    return desk.Choice() if top is None else desk.choose(top, timezone.now(), request.GET)


def _context(user, report, **extra) -> dict:
    files = {f.format: f for f in report.files.all()}
    return {
        "report": report,
        "files": [files[fmt] for fmt in FORMATS if fmt in files],
        "allowed": selectors.permissions(user, report),
        "form": extra.pop("form", None)
        or RecommendationsForm(initial={"recommendations": report.recommendations}),
        **extra,
    }


def _render(request, report, *, status=200, **extra):
    context = _context(request.user, report, **extra)
    template = "periodic/_panel.html" if fragment_requested(request) else "periodic/detail.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def report_detail(request, pk: int):
    return _render(request, selectors.report_for(request.user, pk))


@login_required
@require_POST
def report_action(request, pk: int):
    """recommendations, retry, submit or receive (the actions check who may)."""
    user = request.user
    report = selectors.report_for(user, pk)
    action = request.POST.get("action", "")
    form = None
    try:
        if action == "recommendations":
            form = RecommendationsForm(request.POST)
            if not form.is_valid():
                return _render(request, report, status=400, form=form)
            actions.do_update_recommendations(
                report, acting_user=user, recommendations=form.cleaned_data["recommendations"]
            )
            notice = _("Recommendations saved; the files are being generated again.")
        elif action == "retry":
            actions.do_retry_report(report, acting_user=user)
            notice = _("The report is being generated again.")
        elif action == "submit":
            actions.do_submit_report(report, acting_user=user)
            notice = _("The report is submitted to the Pj Bupati; its files are frozen.")
        elif action == "receive":
            actions.do_receive_report(report, acting_user=user)
            notice = _("Receipt recorded.")
        else:
            return _render(request, report, status=400, error=_("Unknown action."))
    except PantauError as exc:
        report = selectors.report_for(user, pk)
        return _render(request, report, status=exc.status, error=exc.message, form=form)
    report = selectors.report_for(user, pk)
    if fragment_requested(request):
        return _render(request, report, notice=notice)
    messages.success(request, notice)
    return redirect(report)


@login_required
def report_file(request, pk: int, fmt: str):
    """A file of a report the user sees. A frozen file is checked against its hash first: bytes
    that changed on disk are refused (409), never sent as what was submitted."""
    item = selectors.file_for(request.user, pk, fmt)
    if item.frozen:
        try:
            actions.verified_file(item)
        except PantauError as exc:
            return render(
                request,
                "periodic/tampered.html",
                {"report": item.report, "error": exc.message},
                status=exc.status,
            )
    report = item.report
    name = f"laporan-berkala-{report.pk}-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}"
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=f"{name}.{item.format}",
        content_type=CONTENT_TYPES[item.format],
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = item.sha256
    return response
