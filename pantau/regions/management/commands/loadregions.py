from django.utils.translation import gettext as _

from pantau.lib.commands import PantauCommand
from pantau.regions.loader import load_regions


class Command(PantauCommand):
    help = "Load kecamatan, villages (and optional TPS) with their boundaries from a directory."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="folder with kecamatan.csv, desa.csv, *.geojson")

    def handle(self, directory, **options):
        result = load_regions(directory, progress=self.progress)
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            self.style.SUCCESS(
                _("Regions loaded: %(c)d created, %(u)d updated, %(s)d unchanged.")
                % {"c": result.created, "u": result.updated, "s": result.unchanged}
            )
        )
