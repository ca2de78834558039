from pathlib import Path

from django.utils.translation import gettext as _

from pantau.lib.backup import create_backup
from pantau.lib.commands import PantauCommand


class Command(PantauCommand):
    help = (
        "Back up the database and the uploaded files into one tar.gz, consistently while the "
        "server runs (default: $PANTAU_DATA_DIR/backups/pantau-<UTC time>.tar.gz)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="the archive to write")
        parser.add_argument(
            "--with-secret-key",
            action="store_true",
            help="also store the secret key (keep such a backup as safe as the server itself)",
        )

    def handle(self, *, output, with_secret_key, **options):
        result = create_backup(output, with_secret_key=with_secret_key, progress=self.progress)
        for name in result.skipped:
            self.stderr.write(
                self.style.WARNING(_("%(name)s was deleted during the backup.") % {"name": name})
            )
        if result.media_elsewhere:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "The uploaded files are in %(where)s, not in this backup: keep them "
                        "with the object store's own versioning or replication."
                    )
                    % {"where": result.media_elsewhere}
                )
            )
            self.stdout.write(
                self.style.SUCCESS(
                    _("Backup written: %(path)s (the database only).") % {"path": result.path}
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written: %(path)s (database and %(n)d uploaded files).")
                % {"path": result.path, "n": result.files}
            )
        )
