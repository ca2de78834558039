"""Receiving a form instance from ODK Collect: into the same reports and problems as the web and
the API, through their actions."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from pantau.lib.errors import Conflict, Forbidden, Invalid
from pantau.monitoring.actions import do_add_photo, do_submit_report
from pantau.monitoring.models import Channel
from pantau.monitoring.selectors import can_report
from pantau.odk.instances import (
    attachments_to_store,
    parse_instance,
    problem_fields,
    report_fields,
)
from pantau.odk.models import OdkSubmission
from pantau.odk.xforms import REPORT, find_form
from pantau.problems.actions import do_add_attachment, do_create_problem


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
    """
    instance = parse_instance(xml)
    with transaction.atomic():
        submission = OdkSubmission.objects.filter(instance_id=instance.instance_id).first()
        created = False
        if submission is None:
            form = find_form(acting_user, instance.form_id)
            if form is None and not can_report(acting_user):
                raise Forbidden(
                    _("Your account does not send reports or problems."), code="forbidden"
                )
            if form is None:
                raise Invalid(
                    _("This form (%(form)s) is not one of your forms. Get the blank forms again.")
                    % {"form": instance.form_id},
                    code="unknown_form",
                )
            if form.kind == REPORT:
                report, created = do_submit_report(
                    acting_user=acting_user,
                    client_id=instance.instance_id,
                    channel=Channel.ODK,
                    **report_fields(acting_user, form, instance),
                )
                target = {"report": report}
            else:
                problem, created = do_create_problem(
                    acting_user=acting_user,
                    client_id=instance.instance_id,
                    **problem_fields(acting_user, form, instance),
                )
                target = {"problem": problem}
            submission, _new = OdkSubmission.objects.get_or_create(
                instance_id=instance.instance_id,
                defaults={"user": acting_user, "form_id": form.form_id, **target},
            )
        # One request at a time adds attachments to one instance.
        submission = OdkSubmission.objects.select_for_update().get(pk=submission.pk)
        if submission.user_id != acting_user.pk:
            raise Conflict(
                _("This form was already sent by someone else."),
                code="client_id_taken",
            )
        added: list[str] = []
        for name, upload in attachments_to_store(instance, submission.attachment_names, files):
            if name in added:
                continue
            if submission.report_id:
                do_add_photo(submission.report, acting_user=acting_user, upload=upload)
            else:
                do_add_attachment(submission.problem_id, acting_user=acting_user, upload=upload)
            added.append(name)
        if added:
            submission.attachment_names = [*submission.attachment_names, *added]
            submission.save(update_fields=["attachment_names"])
    return Receipt(submission=submission, created=created, added=added)
