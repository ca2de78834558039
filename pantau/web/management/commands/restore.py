from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from pantau.audit.verify import verify_chain
from pantau.lib.backup import restore_backup
from pantau.lib.commands import PantauCommand


class Command(PantauCommand):
    help = (
        "Restore a backup made by `pantau backup` into this data directory's database and "
        "uploads. Stop the server (pantau serve and any task consumers) first. The archive is "
        "checked before anything is changed; the audit chain is verified afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup archive (.tar.gz)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the contents of a database that already holds data",
        )

    def handle(self, *, file, force, **options):
        result = restore_backup(file, force=force, progress=self.progress)
        if result.secret_key:
            self.progress(_("Secret key restored."))
        if result.missing_migrations:
            self.stdout.write(
                self.style.WARNING(
                    _("The backup predates %(n)d migrations of this version: run pantau migrate.")
                    % {"n": len(result.missing_migrations)}
                )
            )
        self.progress(_("Verifying the audit chain ..."))
        check = verify_chain()
        if not check.ok:
            raise CommandError(
                _("Restored, but the audit chain does not verify (entry #%(id)s): %(reason)s")
                % {"id": check.first_bad_id, "reason": check.reason}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored the backup of %(at)s: %(n)d uploaded files, audit chain OK (%(e)d).")
                % {"at": result.manifest["created_at"], "n": result.files, "e": check.checked}
            )
        )
