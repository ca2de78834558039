"""Field reports: POST /reports, GET /reports, GET /reports/{id}, POST /reports/{id}/photos."""

from django.utils.translation import gettext as _
from ninja import File, Path, Query, Router, Status, UploadedFile

from pantau.accounts import access
from pantau.accounts.access import Action
from pantau.api import lookups, output, queries
from pantau.api.errors import errors, field_names
from pantau.api.schemas import Id, PhotoOut, ReportFilters, ReportIn, ReportOut, ReportPage
from pantau.lib.errors import NotFound, PantauError
from pantau.lib.idempotency import sent_before
from pantau.monitoring import lookups as lookups_kept
from pantau.monitoring import selectors
from pantau.monitoring.actions import do_add_photo, do_submit_report
from pantau.monitoring.models import Channel, Report

router = Router(tags=["reports"])


@router.post("", response={201: ReportOut, 200: ReportOut, **errors(400, 401, 404, 409, 413, 429)})
def submit_report(request, payload: ReportIn):
    """Send a field report. 201 with the report; the same `client_id` again answers 200 with
    the report stored the first time. A region outside the caller's territory is 404."""
    user = request.auth
    region = lookups_kept.region(payload.region)  # kept per process; the access check is here
    if region is None or not access.can(user, Action.WRITE, region):
        raise NotFound(_("Region not found, or outside your territory."))
    try:
        operation = lookups_kept.operation_for(region, payload.observed_at, payload.operation)
        stage = lookups.stage(payload.stage, operation)
        checklist = lookups.checklist(payload.checklist, operation)
    except PantauError:
        # a copy sent again, refused now (its operation closed since): the stored one answers
        prior = sent_before(Report, payload.client_id, sender=user, sender_field="author_id")
        if prior is None:
            raise
        return output.answer(output.report_row(prior), 200)
    with field_names({"situation": "status"}):
        report, created = do_submit_report(
            acting_user=user,
            client_id=payload.client_id,
            region=region,
            observed_at=payload.observed_at,
            situation=payload.status,
            channel=Channel.API,
            operation=operation,
            stage=stage,
            checklist=checklist,
            tps=lookups.tps(payload.tps),
            narrative=payload.narrative,
            answers=payload.answers,
            lat=payload.lat,
            lon=payload.lon,
        )
    return output.answer(output.report_row(report, new=created), 201 if created else 200)


@router.get("", response={200: ReportPage, **errors(400, 401)})
def list_reports(request, filters: Query[ReportFilters]):
    """The reports of the caller's territory (and their own), newest observed first, 50 a
    page. `region` keeps a region and what lies below it; `since` and `until` bound the time
    observed."""
    found = queries.reports(
        request.auth,
        region=filters.region,
        since=filters.since,
        until=filters.until,
        status=filters.status,
        operation=lookups.operation_filter(filters.operation),
    )
    return output.page(request, found, filters.page, output.report_row)


@router.get("/{id}", response={200: ReportOut, **errors(400, 401, 404)})
def get_report(request, id: Path[Id]):
    """One report the caller may see (404 otherwise)."""
    report = selectors.report_for(request.auth, id)
    return output.report_row(report)


@router.post("/{id}/photos", response={201: PhotoOut, **errors(400, 401, 403, 404, 413, 429)})
def add_photo(request, id: Path[Id], photo: File[UploadedFile]):
    """Attach a photo (multipart, field `photo`: JPEG, PNG or WebP) to a report. It is
    re-encoded in the background: its status is `pending` until then."""
    report = selectors.report_for(request.auth, id)
    added = do_add_photo(report, acting_user=request.auth, upload=photo)
    return Status(201, {"id": added.pk, "status": added.status})
