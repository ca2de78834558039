from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from pantau.instruction.actions import do_set_operation_status
from pantau.instruction.models import Operation
from pantau.lib.commands import PantauCommand


class Command(PantauCommand):
    help = "List the monitoring operations, or close or open one: operation list|close|open."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list", help="every operation with its status and dates")
        for verb, text in (
            ("close", "close an operation: its data stays readable, new writes are refused"),
            ("open", "open a draft or closed operation: it takes reports and problems again"),
        ):
            one = sub.add_parser(verb, help=text)
            one.add_argument("code", help="the operation's code (see `pantau operation list`)")
            one.add_argument("--note", default="", help="why, for the audit log")

    def handle(self, verb, code=None, note="", **options):
        if verb == "list":
            return self._list()
        operation = Operation.objects.select_related("region").filter(code=code).first()
        if operation is None:
            known = ", ".join(Operation.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(
                _("No operation %(code)s. Known operations: %(known)s.")
                % {"code": code, "known": known or _("none (load one with loadinstruction)")}
            )
        status = Operation.Status.CLOSED if verb == "close" else Operation.Status.ACTIVE
        operation = do_set_operation_status(operation, status, note=note)
        if verb == "close":
            message = _(
                "Closed %(code)s. Its reports, problems and periodic reports stay readable; "
                "new ones are refused. To take them again: pantau operation open %(code)s"
            )
        else:
            message = _(
                "Opened %(code)s: it takes reports and problems. "
                "To close it: pantau operation close %(code)s"
            )
        self.stdout.write(self.style.SUCCESS(message % {"code": operation.code}))

    def _list(self):
        operations = Operation.objects.select_related("region").order_by("code")
        if not operations:
            self.stdout.write(_("No operations. Load one with: pantau loadinstruction FILE"))
            return
        for op in operations:
            stages = list(op.stages.filter(is_active=True))
            dates = (
                f"{min(s.starts_on for s in stages)} … {max(s.ends_on for s in stages)}"
                if stages
                else "-"
            )
            self.stdout.write(
                f"{op.code:40} {op.get_status_display():8} {op.region.code:8} {dates}  {op.name}"
            )
