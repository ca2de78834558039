"""Receiving a form instance from ODK Collect: into the same reports and problems as the web and
the API, through their actions."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pantau.lib.errors import Conflict, Forbidden, Invalid
from pantau.lib.staging import Staging
from pantau.monitoring.actions import do_add_photo, do_store_report, prepare_report, stage_photo
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
from pantau.odk.xforms import REPORT, find_form
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
    to storage (removed again if the transaction fails). Inside it: the instanceID's look-up,
    the writes and the lock on the submission's row; on SQLite the database's write lock is
    held for no longer than that.
    """
    instance = parse_instance(xml)
    known = OdkSubmission.objects.filter(instance_id=instance.instance_id).first()
    if known is not None and known.user_id != acting_user.pk:
        raise _taken()
    prepared = None if known is not None else _prepare(acting_user, instance)
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
