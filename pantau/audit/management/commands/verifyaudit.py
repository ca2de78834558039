from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.audit.models import AuditEntry
from pantau.audit.sequencer import age_seconds
from pantau.audit.verify import verify_chain
from pantau.lib.commands import PantauCommand

PROGRESS_EVERY = 50_000


class Command(PantauCommand):
    help = "Check the audit log's hash chain and name the first entry that was altered or removed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="entries read per query (default 5000)"
        )

    def handle(self, *, batch_size, **options):
        reported = 0

        def progress(checked: int) -> None:
            nonlocal reported
            if checked // PROGRESS_EVERY > reported // PROGRESS_EVERY:
                reported = checked
                self.progress(_("%(n)d entries checked ...") % {"n": checked})

        result = verify_chain(batch_size=max(1, batch_size), progress=progress)
        if result.queued:
            # Not an error: the sequencer chains them within seconds (docs/audit.md). Many, or an
            # old one, means no sequencer has run since.
            self.stdout.write(
                _(
                    "%(n)d newer entries are not chained yet (the oldest written %(age)d s ago): "
                    "checked at the next run."
                )
                % {"n": result.queued, "age": round(age_seconds(result.oldest_queued_at))}
            )
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(_("Audit chain OK: %(n)d entries") % {"n": result.checked})
            )
            return
        if result.first_bad_id is None:
            raise CommandError(_("Audit chain broken: %(reason)s") % {"reason": result.reason})
        entry = AuditEntry.objects.filter(pk=result.first_bad_id).first()
        if entry is None:
            raise CommandError(
                _("Audit chain broken at entry #%(id)d (no longer in the database): %(reason)s")
                % {"id": result.first_bad_id, "reason": result.reason}
            )
        raise CommandError(
            _("Audit chain broken at entry #%(id)d (%(at)s, %(action)s): %(reason)s")
            % {
                "id": entry.pk,
                "at": timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S %Z"),
                "action": entry.action,
                "reason": result.reason,
            }
        )
