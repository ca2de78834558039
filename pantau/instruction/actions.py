"""Writes of an operation's life: close it, open it (a draft or a closed one). The command
`pantau operation` and the admin's actions call these."""

from django.db import transaction
from django.utils.translation import gettext as _

from pantau.audit import log as audit
from pantau.instruction.models import Operation
from pantau.lib.errors import Conflict


def do_set_operation_status(
    operation: Operation, status: str, *, acting_user=None, note: str = ""
) -> Operation:
    """Move `operation` to `status` (active or closed), audited. Closing keeps every record;
    it only stops new reports, problems and actions (`operations.ensure_writable`)."""
    if status not in (Operation.Status.ACTIVE, Operation.Status.CLOSED):
        raise Conflict(_("An operation can only be opened or closed."), code="invalid_status")
    with transaction.atomic():
        operation = Operation.objects.select_for_update().get(pk=operation.pk)
        if operation.status == status:
            raise Conflict(
                _("The operation %(code)s is already %(status)s.")
                % {"code": operation.code, "status": operation.get_status_display()},
                code="unchanged",
            )
        before = operation.status
        operation.status = status
        operation.save(update_fields=["status"])
        audit.record(
            actor=acting_user,
            action="operation.close" if status == Operation.Status.CLOSED else "operation.open",
            obj=operation,
            region_code=operation.region.code,
            before={"status": before},
            after={"status": status},
            note=note,
        )
    return operation
