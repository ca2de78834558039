"""Writes of field reports. The web form, the API and ODK all call these."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.accounts.access import Action
from pantau.audit import log as audit
from pantau.instruction import operations
from pantau.instruction.models import Checklist, Operation, Stage
from pantau.lib import limits
from pantau.lib.clock import aware
from pantau.lib.errors import Forbidden, Invalid, NotFound
from pantau.lib.geo import distance_km
from pantau.lib.idempotency import create_once, parse_client_id
from pantau.lib.images import MAX_PIXELS, ImageRejected, TooManyPixels, clean_copy, sniff
from pantau.lib.inserts import insert
from pantau.lib.limits import check_lengths
from pantau.lib.staging import Staging
from pantau.monitoring import lookups
from pantau.monitoring.checklists import clean_answers, missing_required
from pantau.monitoring.models import MAX_PHOTOS, Channel, Photo, Report, Situation
from pantau.regions.models import Level, Region

FAR_KM = 2.0  # a location this far outside the reported region is flagged
CLOCK_SKEW = dt.timedelta(minutes=15)


def field_region(user, region: Region, tps: str) -> tuple[Region, str]:
    """Where a report or a problem may be: a kecamatan or a village (a TPS counts as its
    village, with its number) that `user` may write to."""
    if region.level == Level.TPS:
        region, tps = region.parent, tps or region.code.rsplit(".", 1)[1]
    if region.level not in (Level.KECAMATAN, Level.DESA):
        raise Invalid(
            _("A report or a problem is about a kecamatan or a village."),
            fields={"region": _("choose a kecamatan or a village")},
        )
    if not access.can(user, Action.WRITE, region):
        raise NotFound(_("Region not found, or outside your territory."))
    tps = (tps or "").strip()
    if tps and not (tps.isdigit() and 0 < int(tps) < 1000):
        raise Invalid(
            _("The TPS number must be a number from 1 to 999."),
            fields={"tps": _("a number from 1 to 999")},
        )
    return region, f"{int(tps):03d}" if tps else ""


def _location(region: Region, lat, lon) -> tuple[bool, float | None]:
    if lat is None and lon is None:
        return False, None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid(
            _("The location needs a valid latitude and longitude."),
            fields={"lat": _("-90 to 90"), "lon": _("-180 to 180")},
        )
    geometry = lookups.boundary(region)  # only now: the one large field of a region
    if geometry is None or geometry.is_empty:
        return False, None
    distance = distance_km(geometry, lat, lon)
    return distance > FAR_KM, distance


def do_submit_report(*, acting_user, client_id, **report) -> tuple[Report, bool]:
    """Store a field report once. Returns (report, created); the same client_id sent again by
    the same author returns the stored report unchanged (a retry or an offline queue). The
    report's fields are those of `prepare_report`."""
    client_id = parse_client_id(client_id)
    return create_once(
        Report,
        client_id,
        sender=acting_user,
        sender_field="author_id",
        create=lambda: _insert_report(
            prepare_report(acting_user=acting_user, client_id=client_id, **report)
        ),
        insert_first=True,  # _insert_report inserts in an atomic block of its own
    )


def do_store_report(report: Report) -> tuple[Report, bool]:
    """`do_submit_report` for a report already made by `prepare_report`: a caller that checks
    everything before its own transaction stores it inside with this, once by its client_id."""
    return create_once(
        Report,
        report.client_id,
        sender=report.author,
        sender_field="author_id",
        create=lambda: _insert_report(report),
        insert_first=True,
    )


def do_insert_report(report: Report) -> Report:
    """Insert a report made by `prepare_report` in the caller's transaction, without a
    savepoint of its own: a client_id already stored fails the caller's whole transaction with
    IntegrityError. For a caller that expects a new client_id and, on that error, stores it
    again with `do_store_report` (a savepoint and a look-up more)."""
    return _insert_report(report, savepoint=False)


def prepare_report(
    *,
    acting_user,
    client_id,
    region: Region,
    observed_at: dt.datetime,
    situation: str,
    channel: str = Channel.WEB,
    operation: Operation | None = None,
    stage: Stage | None = None,
    checklist: Checklist | None = None,
    tps: str = "",
    narrative: str = "",
    answers: dict | None = None,
    lat: float | None = None,
    lon: float | None = None,
    partial_answers: bool = False,
) -> Report:
    """The report, checked and not saved: everything that reads (territory, operation, stage,
    checklist, the region's boundary) is done here, before any write."""
    client_id = parse_client_id(client_id)
    check_lengths(narrative=(narrative, limits.LONG_TEXT))
    region, tps = field_region(acting_user, region, tps)
    if situation not in Situation.values:
        raise Invalid(
            _("The situation must be aman, waspada or rawan."),
            fields={"situation": _("aman, waspada or rawan")},
        )
    observed_at = aware(observed_at)
    now = timezone.now()
    if observed_at > now + CLOCK_SKEW:
        raise Invalid(
            _("The time observed is in the future. Check the phone's clock."),
            fields={"observed_at": _("in the future")},
        )
    if operation is None:
        operation = lookups.operation_for(region, observed_at)
    elif not operations.holds(operation, region):
        raise Invalid(
            _("That monitoring operation does not cover this region."),
            fields={"operation": _("not covering this region")},
        )
    operations.ensure_writable(operation)
    if stage is not None and stage.operation_id != operation.pk:
        raise Invalid(_("That stage belongs to another operation."), fields={"stage": "?"})
    stage = stage or lookups.stage_for(operation, observed_at)
    if checklist is None and stage is not None:
        checklist = lookups.first_checklist(stage)
    if checklist is not None and checklist.stage_id != (stage.pk if stage else None):
        raise Invalid(
            _("That checklist is not one of the stage's."),
            fields={"checklist": _("not a checklist of this stage")},
        )
    questions = checklist.questions if checklist else []
    answers = clean_answers(questions, answers, partial=partial_answers)
    flagged, distance = _location(region, lat, lon)
    report = Report(
        client_id=client_id,
        operation=operation,
        region=region,
        tps=tps,
        stage=stage,
        checklist=checklist,
        author=acting_user,
        observed_at=observed_at,
        received_at=now,
        channel=channel,
        situation=situation,
        answers=answers,
        checklist_complete=not missing_required(questions, answers),
        narrative=narrative.strip(),
        lat=lat,
        lon=lon,
        location_flagged=flagged,
        location_distance_km=distance,
    )
    return report


def _insert_report(report: Report, savepoint: bool = True) -> Report:
    with transaction.atomic(savepoint=savepoint):
        insert(report)
        audit.record(
            actor=report.author,
            action="report.create",
            obj=report,
            after={
                "region": report.region.code,
                "tps": report.tps,
                "situation": report.situation,
                "stage": report.stage.code if report.stage else None,
                "channel": report.channel,
                "observed_at": report.observed_at.isoformat(),
                "answers": report.answers,
                "checklist_complete": report.checklist_complete,
                "narrative": report.narrative,
                "lat": report.lat,
                "lon": report.lon,
            },
        )
    return report


def do_answer_checklist(report: Report, *, acting_user, answers: dict) -> Report:
    """Add answers to a report's checklist (a report sent by message, answered question by
    question). Only its author may; an answer already given is not changed."""
    if report.author_id != acting_user.pk:
        raise NotFound(_("Report not found."))
    operations.ensure_writable(report.operation)
    questions = report.checklist.questions if report.checklist_id else []
    new = {code: value for code, value in (answers or {}).items() if code not in report.answers}
    merged = clean_answers(questions, {**report.answers, **new}, partial=True)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        before = dict(report.answers)
        report.answers = {**merged, **report.answers}
        report.checklist_complete = not missing_required(questions, report.answers)
        report.save(update_fields=["answers", "checklist_complete"])
        audit.record(
            actor=acting_user,
            action="report.answers",
            obj=report,
            before={"answers": before},
            after={"answers": report.answers, "checklist_complete": report.checklist_complete},
        )
    return report


def check_photo(upload) -> None:
    """Refuse what is not a JPEG, PNG or WebP photo of at most PHOTO_MAX_BYTES and MAX_PIXELS."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise Invalid(
            _("The photo is larger than %(mb)d MB. Send a smaller photo.")
            % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            code="too_large",
            fields={"photo": _("too large")},
        )
    try:
        sniff(upload)
    except TooManyPixels as exc:
        raise Invalid(
            _(
                "The picture is too large: %(width)d×%(height)d pixels, at most %(max)d million."
                " Send a photo taken with the phone's camera."
            )
            % {"width": exc.width, "height": exc.height, "max": MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
            fields={"photo": _("too many pixels")},
        ) from None
    except ImageRejected:
        raise Invalid(
            _("Only photos (JPEG, PNG or WebP) can be attached."),
            code="unsupported_type",
            fields={"photo": _("not a JPEG, PNG or WebP image")},
        ) from None


@dataclass(frozen=True)
class StagedPhoto:
    """A photo checked and written to storage, not recorded yet: as the finished picture
    (`picture`: what `clean_copy` found) or as the upload, for the task queue to re-encode."""

    name: str
    picture: dict | None

    def photo(self, **fields) -> Photo:
        if self.picture is None:
            return Photo(original=self.name, **fields)
        photo = Photo(image=self.name, **fields)
        photo.take(self.picture)
        return photo


def stage_photo(upload, staging: Staging) -> StagedPhoto:
    """Check a photo and write it to storage before the caller's transaction, for
    `do_add_photo(..., stored=staged)` inside it. A JPEG the phone made small and upright is
    kept as sent less its metadata, at once (no pixel decoded); any other is re-encoded later."""
    check_photo(upload)
    picture = clean_copy(upload)
    if picture is None:
        return StagedPhoto(staging.put(Photo._meta.get_field("original"), upload), None)
    finished = ContentFile(picture.pop("data"), name="photo.jpg")
    return StagedPhoto(staging.put(Photo._meta.get_field("image"), finished), picture)


def do_add_photo(
    report: Report,
    *,
    acting_user,
    upload,
    stored: StagedPhoto | None = None,
    photos_before: int | None = None,
) -> Photo:
    """Accept a JPEG, PNG or WebP photo from the report's author, at most MAX_PHOTOS a report
    on every channel (the ODK form has three photo fields); one that cannot be kept as sent is
    re-encoded (and its EXIF location read) by the task queue, off the request path. The file is
    written before the transaction (and removed if it fails); `stored`: `stage_photo` already
    checked and wrote it.
    `photos_before`: the caller's transaction inserted `report` itself (no one else sees it
    until it commits) and has added this many photos to it: neither the report's lock nor the
    count of its photos is needed then.

    Only the author adds photos: a report is what its author saw, and a photo added by someone
    else after it was sent would be shown as part of it."""
    photos, _created = do_add_photos(
        report,
        acting_user=acting_user,
        uploads=[upload],
        stored=[stored] if stored else None,
        photos_before=photos_before,
    )
    return photos[0]


def do_add_photos(
    report: Report,
    *,
    acting_user,
    uploads: list,
    client_id=None,
    stored: list | None = None,
    photos_before: int | None = None,
) -> tuple[list[Photo], bool]:
    """Add several photos at once (all or none), as do_add_photo does one. With `client_id`
    (the web form adding photos afterwards, from the phone's outbox) the same batch sent twice
    is stored once: the second time answers the photos of the first, and created False.
    `photos_before`: as do_add_photo's."""
    if report.author_id != acting_user.pk:
        if not access.can(acting_user, Action.READ, report.region):
            raise NotFound(_("Report not found."))
        raise Forbidden(
            _("Only the author of a report can add photos to it."), code="not_the_author"
        )
    operations.ensure_writable(report.operation)
    client_id = parse_client_id(client_id) if client_id else None
    if client_id and (prior := list(report.photos.filter(client_id=client_id))):
        return prior, False
    with Staging() as staging:
        staged_photos = stored or [stage_photo(upload, staging) for upload in uploads]
        with transaction.atomic(savepoint=photos_before is None):
            if photos_before is None:
                # the report's row locked: two uploads at once cannot both take the last place
                Report.objects.select_for_update().filter(pk=report.pk).first()
                if client_id and (prior := list(report.photos.filter(client_id=client_id))):
                    return prior, False
                photos_before = Photo.objects.filter(report=report).count()
            if photos_before + len(staged_photos) > MAX_PHOTOS:
                raise Invalid(
                    _("A report has at most %(n)d photos.") % {"n": MAX_PHOTOS},
                    code="too_many_photos",
                    fields={"photo": _("at most %(n)d photos") % {"n": MAX_PHOTOS}},
                )
            photos = []
            for staged in staged_photos:
                photo = staged.photo(report=report, uploaded_by=acting_user, client_id=client_id)
                insert(photo)
                audit.record(
                    actor=acting_user, action="report.photo", obj=report, after={"photo": photo.pk}
                )
                if photo.status == Photo.Status.PENDING:
                    transaction.on_commit(lambda pk=photo.pk: _process_later(pk))
                photos.append(photo)
        for staged in staged_photos:
            staging.keep(staged.name)
    return photos, True


def _process_later(photo_id: int) -> None:
    from pantau.monitoring.tasks import process_photo

    process_photo(photo_id)
