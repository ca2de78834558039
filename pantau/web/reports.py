"""Pages of field reports: the form (with its checklist fragment), the list, a report, a photo.

Views parse (forms), call the actions and selectors, and render; who sees what is decided by
`accounts.access` through `monitoring.selectors`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pantau.accounts import access
from pantau.accounts.access import Action
from pantau.instruction.selectors import active_operations, operation_for, stage_for
from pantau.lib import images
from pantau.lib.errors import PantauError
from pantau.lib.views import fragment_requested, pantau_error_to_form
from pantau.monitoring import selectors
from pantau.monitoring.actions import do_add_photo, do_add_photos, do_submit_report
from pantau.monitoring.models import MAX_PHOTOS, Channel, Photo
from pantau.regions.models import Region
from pantau.web import outbox
from pantau.web.forms import AddPhotosForm, ReportFilterForm, ReportForm

PER_PAGE = 25
# What the no-script "show the questions" button carries over when it reloads the form.
CARRIED = (
    "region",
    "tps",
    "situation",
    "stage",
    "checklist",
    "narrative",
    "observed_at",
    "client_id",
    "lat",
    "lon",
    "also_problem",
)


def photo_limits() -> dict:
    """What photos.js checks before sending: the same limits the server applies."""
    return {
        "max": MAX_PHOTOS,
        "max_side": images.MAX_SIDE,
        "max_pixels": images.MAX_PIXELS,
        "max_bytes": settings.PHOTO_MAX_BYTES,
    }


def default_stage(region_code: str | None):
    """The stage of now in the sender's current operation: the one a report about the
    preselected region sent now belongs to (with no region, or none fitting, the first
    active one)."""
    region = Region.objects.filter(code=region_code).first() if region_code else None
    now = timezone.now()
    try:
        operation = operation_for(region, now) if region else None
    except PantauError:  # none or several fit: the sender chooses the stage
        operation = None
    operation = operation or active_operations().first()
    return stage_for(operation, now) if operation else None


def operation_error_to_form(form, error: PantauError) -> None:
    """An action's error on a report or problem form, where the operation is chosen through
    the stage (its group names the operation): what is said of the operation is said on the
    stage select."""
    pantau_error_to_form(form, error)
    if "operation" in (error.fields or {}):
        if error.code == "operation_required":
            form.add_error("stage", _("Choose the stage: its group names the operation."))
        else:
            form.add_error("stage", str(error.fields["operation"]))


@login_required
def report_new(request):
    """The report form. Under htmx a GET returns just the checklist of the chosen stage."""
    user = request.user
    if request.method == "POST":
        if refusal := outbox.other_user(request):
            return refusal
        if prior := outbox.already_stored(request, selectors.reports_for(user).filter(author=user)):
            also_problem = request.POST.get("also_problem") in ("on", "true", "1")
            return _answer(request, prior, created=False, also_problem=also_problem)
        form = ReportForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            try:
                return _submit(request, form)
            except PantauError as exc:
                operation_error_to_form(form, exc)
                return _refuse(request, form, status=exc.status, error=exc)
        return _refuse(request, form, status=400)
    initial = {k: request.GET[k] for k in CARRIED if request.GET.get(k)}
    initial.setdefault("region", selectors.default_report_region(user))
    form = ReportForm(initial=initial, user=user, stage=default_stage(initial["region"]))
    if fragment_requested(request):
        response = render(request, "reports/_questions.html", {"form": form})
        patch_vary_headers(response, ["HX-Request"])
        return response
    return _render_form(request, form)


def _submit(request, form: ReportForm):
    user, data = request.user, form.cleaned_data
    report, created = do_submit_report(
        acting_user=user,
        client_id=data["client_id"],
        region=data["region"],
        observed_at=data["observed_at"],
        situation=data["situation"],
        channel=Channel.WEB,
        # a chosen stage names its operation; without one, region and time find it
        operation=form.chosen_stage.operation if form.chosen_stage else None,
        stage=form.chosen_stage,
        checklist=form.chosen_checklist,
        tps=data["tps"] or "",
        narrative=data["narrative"],
        answers=form.answers(),
        lat=data["lat"],
        lon=data["lon"],
    )
    notes = []
    if created:
        for upload in data["photos"]:
            try:
                do_add_photo(report, acting_user=user, upload=upload)
            except PantauError as exc:
                notes.append(
                    (
                        messages.WARNING,
                        _("Photo %(name)s was not attached: %(error)s")
                        % {"name": upload.name, "error": exc.message},
                    )
                )
    return _answer(request, report, created=created, also_problem=data["also_problem"], notes=notes)


def _answer(request, report, *, created: bool, also_problem: bool, notes=()):
    """Where a stored report leads: to the problem form when it is a problem too."""
    notes = list(notes)
    if created:
        notes.append((messages.SUCCESS, _("Report sent. Thank you.")))
    else:
        notes.append((messages.INFO, _("This report had already arrived; it is stored once.")))
    next_url = report.get_absolute_url()
    if also_problem:
        next_url = f"{reverse('problem-new')}?report={report.pk}"
    return outbox.stored(request, report, created=created, next_url=next_url, notes=notes)


def _refuse(request, form: ReportForm, *, status: int, error: PantauError | None = None):
    if outbox.mode(request) == outbox.QUEUE:
        return outbox.refused(form, status=status, error=error)
    return _render_form(request, form, status=status)


def _render_form(request, form: ReportForm, status: int = 200):
    response = render(
        request,
        "reports/new.html",
        {"form": form, "photo_limits": photo_limits()},
        status=status,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def report_list(request):
    """The reports of the user's territory (and their own), newest first, with filters."""
    user = request.user
    form = ReportFilterForm(request.GET, user=user)
    filters = form.filters()
    reports = (
        selectors.filter_reports(selectors.reports_for(user), **filters)
        .select_related("region", "region__parent", "stage", "author")
        .annotate(photo_count=Count("photos"))
        .order_by("-observed_at", "-id")
    )
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "can_report": selectors.can_report(user),
    }
    if fragment_requested(request):
        response = render(request, "reports/_results.html", context)
    else:
        response = render(request, "reports/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def report_detail(request, pk: int, *, photo_form: AddPhotosForm | None = None, status=200):
    user = request.user
    report = selectors.report_for(user, pk)
    photos = list(report.photos.all())
    can_add_photos = report.author_id == user.pk and len(photos) < MAX_PHOTOS
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "answers": selectors.report_answers(report),
            "photos": photos,
            # where no location was sent, the first photo's own (its EXIF) stands in, so marked
            "photo_location": next((p for p in photos if p.lat is not None), None),
            "problems": list(
                access.problems_for(user)
                .filter(report=report)
                .select_related("category")
                .order_by("-created_at")
            ),
            "can_add_problem": access.can(user, Action.WRITE, report.region),
            "is_author": report.author_id == user.pk,
            "photo_form": (photo_form or AddPhotosForm()) if can_add_photos else None,
            "photo_limits": photo_limits(),
        },
        status=status,
    )


@login_required
@require_POST
def report_add_photos(request, pk: int):
    """Photos added to one's own report after it was sent: from the report's page, or from the
    phone's outbox when they were chosen without signal (pantau/web/outbox.py)."""
    user = request.user
    if refusal := outbox.other_user(request):
        return refusal
    report = selectors.report_for(user, pk)
    form = AddPhotosForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            photos, created = do_add_photos(
                report,
                acting_user=user,
                uploads=form.cleaned_data["photos"],
                client_id=form.cleaned_data["client_id"],
            )
        except PantauError as exc:
            error = exc
            pantau_error_to_form(form, exc, {"photo": "photos"})
        else:
            if created:
                note = (messages.SUCCESS, _("Photos added to report #%(n)d.") % {"n": report.pk})
            else:
                note = (messages.INFO, _("These photos had already arrived; they are stored once."))
            return outbox.stored(
                request,
                report,
                created=created,
                next_url=report.get_absolute_url(),
                notes=[note],
                client_id=form.cleaned_data["client_id"],
            )
    status = error.status if error else 400
    if outbox.mode(request) == outbox.QUEUE:
        return outbox.refused(form, status=status, error=error)
    return report_detail(request, pk, photo_form=form, status=status)


@login_required
def photo(request, pk: int):
    """A report's photo, re-encoded (no metadata), to someone who sees the report."""
    item = selectors.photo_for(request.user, pk)
    if item.status != Photo.Status.READY or not item.image:
        raise Http404(_("The photo is still being processed."))
    response = FileResponse(item.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
