"""Receiving a form instance from ODK Collect: into the same reports and problems as the web and
the API, through their actions."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from pantau.instruction import operations
from pantau.lib.errors import Conflict, Forbidden, Invalid
from pantau.lib.inserts import insert
from pantau.lib.staging import Staging
from pantau.monitoring.actions import (
    StagedPhoto,
    do_add_photo,
    do_insert_report,
    do_store_report,
    prepare_report,
    stage_photo,
)
from pantau.monitoring.models import Channel, Report
from pantau.monitoring.selectors import can_report
from pantau.odk.instances import (
    Instance,
    attachments_to_store,
    parse_instance,
    problem_fields,
    report_fields,
)
from pantau.odk.models import OdkSubmission
from pantau.odk.xforms import REPORT, find_form, form_operation
from pantau.problems.actions import (
    do_add_attachment,
    do_store_problem,
    prepare_problem,
    stage_attachment,
)
from pantau.problems.models import Problem


@dataclass(frozen=True)
class Receipt:
    submission: OdkSubmission
    created: bool  # the report or problem was made by this request
    added: list[str]  # attachments stored by this request


def do_receive_submission(*, acting_user, xml: bytes, files: Mapping[str, UploadedFile]) -> Receipt:
    """Store a form instance once, by its instanceID, with the photos it names.

    The same instance sent again (a retry, or ODK Collect sending a large submission in
    several parts) changes nothing but adding those of its photos that were not stored yet;
    so a report or a problem never gets a photo twice. Everything of one request is one
    transaction: a photo refused leaves nothing of that request behind.

    Everything that only reads is done before that transaction: the form (the user's XForm is
    built for it), the territory, the checklist, the photos' checks, and the photos are written
    to storage (removed again if the transaction fails). Inside it: the writes, and for an
    instance seen before the instanceID's look-up and the lock on the submission's row; on
    SQLite the database's write lock is held for no longer than that.

    A new report (the common case) is inserted with no look-up and no savepoint inside the
    transaction: its report, photos and submission rows, nothing else. Should another request
    store the same instanceID in the moment between the look-up and the insert, the unique
    instanceID (or client_id) fails this transaction whole and it is done again the careful
    way, which finds what the other stored.
    """
    instance = parse_instance(xml)
    known = (
        OdkSubmission.objects.filter(instance_id=instance.instance_id).first()
        if _seen(instance.instance_id)
        else None
    )
    if known is not None and known.user_id != acting_user.pk:
        raise _taken()
    prepared = None if known is not None else _prepare(acting_user, instance)
    if isinstance(prepared, Report):
        try:
            return _store_new_report(acting_user, instance, prepared, files)
        except IntegrityError:
            known = OdkSubmission.objects.filter(instance_id=instance.instance_id).first()
            if known is not None and known.user_id != acting_user.pk:
                raise _taken() from None
            prepared.pk = None  # (its insert was rolled back)
            prepared._state.adding = True
    return _store_carefully(acting_user, instance, known, prepared, files)


def _seen(instance_id) -> bool:
    """Whether an instanceID is stored already: one indexed SELECT sent as SQL, because nearly
    every submission is new and building the ORM's query for it cost a twentieth of the CPU of
    the whole submission. The row itself is then read through the ORM, only when it exists."""
    field = OdkSubmission._meta.get_field("instance_id")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {quote(OdkSubmission._meta.db_table)} "
            f"WHERE {quote(field.column)} = %s LIMIT 1",
            [field.get_db_prep_value(instance_id, connection)],
        )
        return cursor.fetchone() is not None


def _store_new_report(acting_user, instance: Instance, report: Report, files) -> Receipt:
    """A report not stored yet, its photos and its submission row, in one transaction of
    inserts only: no other request sees the report before it commits, so it needs no lock
    and its photos no count. IntegrityError when the instanceID is taken meanwhile."""
    with Staging() as staging:
        stored: dict[str, tuple[UploadedFile, StagedPhoto]] = {}
        for name, upload in attachments_to_store(instance, [], files):
            if name not in stored:
                stored[name] = (upload, stage_photo(upload, staging))
        with transaction.atomic():
            do_insert_report(report)
            for count, (upload, staged) in enumerate(stored.values()):
                do_add_photo(
                    report,
                    acting_user=acting_user,
                    upload=upload,
                    stored=staged,
                    photos_before=count,
                )
                staging.keep(staged.name)
            submission = OdkSubmission(
                instance_id=instance.instance_id,
                user=acting_user,
                form_id=instance.form_id,
                report=report,
                attachment_names=list(stored),
            )
            insert(submission)
    return Receipt(submission=submission, created=True, added=list(stored))


def _store_carefully(acting_user, instance: Instance, known, prepared, files) -> Receipt:
    """An instance seen before (its missing photos), a problem, or a report whose fast insert
    lost a race: the instanceID looked up again inside the transaction, the row locked."""
    to_report = known.report_id is not None if known else isinstance(prepared, Report)
    with Staging() as staging:
        stored = {}
        for name, upload in attachments_to_store(
            instance, known.attachment_names if known else [], files
        ):
            if name not in stored:
                stage = stage_photo if to_report else stage_attachment
                stored[name] = stage(upload, staging)
        with transaction.atomic():
            submission = OdkSubmission.objects.filter(instance_id=instance.instance_id).first()
            created = locked = False
            if submission is None:
                # (known only disappears with its report or problem: then prepare it again)
                prepared = prepared or _prepare(acting_user, instance)
                if isinstance(prepared, Report):
                    report, created = do_store_report(prepared)
                    target = {"report": report}
                else:
                    problem, created = do_store_problem(prepared)
                    target = {"problem": problem}
                submission, locked = _insert_submission(acting_user, instance, target)
            if not locked:
                # One request at a time adds attachments to one instance.
                submission = OdkSubmission.objects.select_for_update().get(pk=submission.pk)
            if submission.user_id != acting_user.pk:
                raise _taken()
            added: list[str] = []
            for name, upload in attachments_to_store(instance, submission.attachment_names, files):
                if name in added:
                    continue
                if name not in stored:  # not expected: every new name was staged above
                    stage = stage_photo if submission.report_id else stage_attachment
                    stored[name] = stage(upload, staging)
                if submission.report_id:
                    do_add_photo(
                        submission.report,
                        acting_user=acting_user,
                        upload=upload,
                        stored=stored[name],
                    )
                    staging.keep(stored[name].name)
                else:
                    do_add_attachment(
                        submission.problem_id,
                        acting_user=acting_user,
                        upload=upload,
                        stored=stored[name],
                    )
                    staging.keep(stored[name])
                added.append(name)
            if added:
                submission.attachment_names = [*submission.attachment_names, *added]
                submission.save(update_fields=["attachment_names"])
    return Receipt(submission=submission, created=created, added=added)


def _insert_submission(acting_user, instance: Instance, target: dict) -> tuple[OdkSubmission, bool]:
    """(the new submission's row, True): inserted by this transaction, so locked until it
    ends; or (the row another request inserted a moment before, False)."""
    try:
        with transaction.atomic():
            submission = OdkSubmission.objects.create(
                instance_id=instance.instance_id,
                user=acting_user,
                form_id=instance.form_id,
                **target,
            )
    except IntegrityError:
        return OdkSubmission.objects.get(instance_id=instance.instance_id), False
    return submission, True


def _prepare(acting_user, instance: Instance) -> Report | Problem:
    """The report or problem the instance makes, checked and not saved."""
    form = find_form(acting_user, instance.form_id)
    if form is None and not can_report(acting_user):
        raise Forbidden(_("Your account does not send reports or problems."), code="forbidden")
    if form is None and (operation := form_operation(acting_user, instance.form_id)):
        operations.ensure_writable(operation)  # closed or draft: 409, saying which
    if form is None:
        raise Invalid(
            _("This form (%(form)s) is not one of your forms. Get the blank forms again.")
            % {"form": instance.form_id},
            code="unknown_form",
        )
    if form.kind == REPORT:
        return prepare_report(
            acting_user=acting_user,
            client_id=instance.instance_id,
            channel=Channel.ODK,
            **report_fields(acting_user, form, instance),
        )
    return prepare_problem(
        acting_user=acting_user,
        client_id=instance.instance_id,
        **problem_fields(acting_user, form, instance),
    )


def _taken() -> Conflict:
    return Conflict(_("This form was already sent by someone else."), code="client_id_taken")
