import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

from pantau.lib.commands import PantauCommand


def add_server_arguments(parser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)",
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2 * (os.cpu_count() or 1) + 1, 8),
        help="worker processes (default 2 x cores + 1)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--no-tasks",
        action="store_true",
        help="do not start a task-queue consumer beside the web workers (when "
        "`pantau run_huey` runs elsewhere, e.g. on Redis across machines)",
    )


def start_task_consumer() -> subprocess.Popen:
    """The Huey consumer (notifications, photos, deadlines) as a child process, so that the
    default install needs no other service."""
    return subprocess.Popen([sys.executable, "-m", "pantau", "run_huey", "--quiet"])


class PantauServer(BaseApplication):
    """gunicorn, configured from our arguments instead of its own command line."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from pantau.wsgi import application

        return application


def _worker_started(server, worker) -> None:
    """gunicorn's post_fork: what a worker forked from the preloaded master starts itself."""
    from pantau.audit.sequencer import start_thread

    start_thread()


class Command(PantauCommand):
    help = "Serve Pantau with gunicorn (static files included), for production and the demo."

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, host, port, workers, threads, no_tasks=False, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                _(
                    "The database is not up to date. Run `pantau migrate` "
                    "(or `pantau setup-demo` for the demo) and try again."
                )
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        connection.close()  # never share a connection with the forked workers
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.stdout.write(_("Serving Pantau on http://%(bind)s/ (Ctrl+C to stop)") % {"bind": bind})
        self.stdout.flush()
        consumer = None if no_tasks else start_task_consumer()
        # The application is loaded once, in the master, and the workers forked from it share
        # its pages (Django, the URLs, pyxform: most of a worker's memory) instead of each
        # loading its own copy; wsgi.py's gc.freeze() keeps the collector from writing to them.
        os.environ["PANTAU_SEQUENCER_AFTER_FORK"] = "1"
        try:
            PantauServer(
                {
                    "bind": bind,
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread",
                    "preload_app": True,
                    "post_fork": _worker_started,
                    "accesslog": "-",
                    "timeout": 60,
                    "graceful_timeout": 10,
                    "forwarded_allow_ips": os.environ.get(
                        "PANTAU_FORWARDED_ALLOW_IPS", "127.0.0.1"
                    ),
                    # no control socket: several servers may run on one machine
                    "control_socket_disable": True,
                }
            ).run()
        finally:
            if consumer is not None:
                consumer.terminate()
                consumer.wait(timeout=15)
