from django.utils.translation import gettext as _

from pantau.demo.setup import setup_demo
from pantau.lib.commands import PantauCommand


class Command(PantauCommand):
    help = "Prepare the demo: database, Probolinggo's regions, the 2024 instruction, demo accounts."

    def handle(self, **options):
        users = setup_demo(progress=self.progress)
        self.stdout.write(self.style.SUCCESS(_("Demo ready: %(n)d accounts.") % {"n": len(users)}))
