from django.utils.translation import gettext as _

from pantau.instruction.loader import apply_instruction, validate_instruction
from pantau.lib.commands import PantauCommand


class Command(PantauCommand):
    help = "Validate a monitoring-instruction YAML file and apply it (or only check it)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the instruction YAML file")
        parser.add_argument("--check", action="store_true", help="validate only, change nothing")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="a new operation starts as a draft (start it with `pantau operation open`)",
        )

    def handle(self, file, check, draft=False, **options):
        if check:
            validate_instruction(file)
            self.stdout.write(self.style.SUCCESS(_("%(file)s is valid.") % {"file": file}))
            return
        result = apply_instruction(file, progress=self.progress, draft=draft)
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if result.deactivated:
            self.stdout.write(
                _("No longer in the file, deactivated: %(list)s")
                % {"list": ", ".join(result.deactivated)}
            )
        changes = ", ".join(f"{k}: {v}" for k, v in result.counts.items() if v) or _("none")
        self.stdout.write(
            self.style.SUCCESS(
                _("Instruction applied: %(op)s. Changes: %(changes)s.")
                % {"op": result.operation.name, "changes": changes}
            )
        )
