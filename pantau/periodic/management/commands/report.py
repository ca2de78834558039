"""pantau report --region CODE --from DATE --to DATE --format pdf|docx|xlsx --output FILE

Generates a periodic report on the command line and writes one format to a file. It runs as an
administrator (whoever can run commands on the server sees everything): there is no territory
check here, and nothing is stored in the database (the report to submit is requested from the
web interface or the API).
"""

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.instruction.models import Cluster
from pantau.lib.clock import WIB
from pantau.lib.commands import PantauCommand
from pantau.lib.errors import Invalid
from pantau.periodic import content, render
from pantau.periodic.actions import check_letter_date, check_period, resolve_scope
from pantau.periodic.models import Format, Scope
from pantau.regions.models import Region


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Not a date: %(value)s (write YYYY-MM-DD).") % {"value": value}
        ) from None


class Command(PantauCommand):
    help = "Generate a periodic report (PDF, DOCX or XLSX) of a kecamatan, cluster or kabupaten."
    # Django's system checks import every URLconf, view and API module (about a second of CPU,
    # a third of the command); a report needs none of them. `pantau check` and `pantau serve`
    # still run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--region", help="kecamatan or kabupaten code, e.g. 35.13 or 35.13.01")
        parser.add_argument("--cluster", help="cluster code (a cluster report), e.g. pemkesra")
        parser.add_argument("--scope", choices=Scope.values, help="default: from the region")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: --from)")
        parser.add_argument(
            "--date", dest="letter_date", help="the letter's date, YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--format", choices=Format.values, default=Format.PDF)
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, **options):
        start = _date(options["start"])
        end = _date(options["end"]) if options["end"] else start
        region = cluster = None
        if options["cluster"]:
            cluster = Cluster.objects.filter(code=options["cluster"]).first()
            if cluster is None:
                raise CommandError(_("Unknown cluster: %(code)s") % {"code": options["cluster"]})
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(_("Unknown region: %(code)s") % {"code": options["region"]})
        if region is None and cluster is None:
            raise CommandError(_("Give --region CODE or --cluster CODE."))
        if region is None:
            region = cluster.operation.region
        scope, region, cluster, operation = resolve_scope(
            scope=options["scope"], region=region, cluster=cluster
        )
        check_period(start, end)
        letter_date = _date(options["letter_date"]) if options["letter_date"] else None
        try:
            check_letter_date(letter_date, end, timezone.localdate(timezone.now(), WIB))
        except Invalid as exc:
            raise CommandError(exc.message) from None
        began = time.monotonic()
        subject = cluster.name if cluster else region.title
        self.progress(_("Gathering the figures of %(subject)s ...") % {"subject": subject})
        spec = content.Spec(
            operation=operation,
            scope=scope,
            region=region,
            cluster=cluster,
            start=start,
            end=end,
            letter_date=letter_date,
        )
        data = content.build(spec)
        self.progress(
            _("%(problems)s problems, %(reports)s field reports.")
            % {"problems": data["totals"]["problems"], "reports": data["totals"]["reports"]}
        )
        fmt = options["format"]
        self.progress(_("Rendering %(format)s ...") % {"format": fmt.upper()})
        payload = render.render(data, fmt)
        output = Path(options["output"])
        # Written beside the target and renamed: a half-written report never has the name.
        try:
            fd, tmp = tempfile.mkstemp(dir=output.parent or ".", prefix=".pantau-report-")
        except OSError as exc:
            raise CommandError(
                _("Cannot write to %(path)s: %(error)s") % {"path": output, "error": exc}
            ) from exc
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, output)
        self.progress(
            _("Written: %(path)s (%(size)s bytes, sha256 %(hash)s, %(seconds).1f s)")
            % {
                "path": output,
                "size": len(payload),
                "hash": render.sha256(payload),
                "seconds": time.monotonic() - began,
            }
        )
