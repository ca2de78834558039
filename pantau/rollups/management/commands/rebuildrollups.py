import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from pantau.rollups.compute import clear, refresh


class Command(BaseCommand):
    help = "Rebuild the dashboard's rollups from all reports and problems, with progress."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="only what changed since the last run (what the every-minute job does)",
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="drop the rollups: the dashboard computes from the base rows until the next run",
        )

    def handle(self, *args, update=False, **options):
        if options.get("clear"):
            clear()
            self.stdout.write(_("Rollups dropped."))
            return
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:7.1f} s] {message}")
            self.stdout.flush()

        done = refresh(full=not update, progress=progress)
        self.stdout.write(
            _("Rollups up to %(mark)s: %(areas)s kecamatan, %(problems)s problems in %(secs).1f s.")
            % {
                "mark": done["watermark"].isoformat(timespec="seconds"),
                "areas": done["areas"],
                "problems": done["problems"],
                "secs": time.monotonic() - started,
            }
        )
