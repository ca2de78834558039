from django.core.management import call_command
from django.utils.translation import gettext as _

from pantau.demo.setup import demo_password, setup_demo
from pantau.lib.commands import PantauCommand
from pantau.web.management.commands.serve import add_server_arguments

SHOWN = [
    "admin",
    "bupati",
    "asisten-pemkesra",
    "asisten-adum",
    "asisten-ekbang",
    "camat-tongas",
    "camat-paiton",
    "opd-bakesbangpol",
    "desa-3513012001",
    "bawaslu",
    "pemantau-kraksaan",
]


class Command(PantauCommand):
    help = "Prepare the demo (setup-demo) and serve it (serve), printing the address and logins."

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, host, port, workers, threads, no_tasks, **options):
        users = {u.username: u for u in setup_demo(progress=self.progress)}
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                _("Pantau demo: open http://%(host)s:%(port)s/") % {"host": host, "port": port}
            )
        )
        self.stdout.write(_("Demo logins (password: %(pw)s):") % {"pw": demo_password()})
        for name in SHOWN:
            if name in users:
                user = users[name]
                self.stdout.write(f"  {name:<20} {user.get_role_display()}")
        self.stdout.write(
            _(
                "  camat-<kecamatan> for each of the 24 kecamatan, e.g. "
                "camat-tegalsiwalan; opd-<agency> for each Kepala OPD."
            )
        )
        self.stdout.write("")
        call_command(
            "serve", host=host, port=port, workers=workers, threads=threads, no_tasks=no_tasks
        )
