import os
import signal
import time

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from gunicorn import util
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


def fork_task_consumer(server) -> None:
    """gunicorn's when_ready (in the master, the application loaded): the Huey consumer
    (notifications, photos, deadlines) as a child forked from the master, so that it shares the
    loaded Django's pages with the web workers (as a process of its own it was 100 MB unshared)
    and the default install needs no other service."""
    pid = os.fork()
    if pid:
        _consumer["pid"] = pid
        return
    status = 1
    try:
        for listener in server.LISTENERS:  # the web port is the workers'
            listener.close()
        for sig in (*server.SIGNALS, signal.SIGCHLD):  # the master's handlers are not ours
            signal.signal(sig, signal.SIG_DFL)
        util._setproctitle("task consumer")
        # Background work (a photo's re-encoding, notifications) yields the cores to the
        # requests during a burst and catches up after it: nothing waits on it in a request.
        os.nice(TASKS_NICENESS)
        call_command("run_huey", "--quiet")
        status = 0
    finally:
        os._exit(status)


def stop_task_consumer() -> None:
    pid = _consumer.pop("pid", None)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(150):  # 15 s, as before
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass  # ended already (the master reaps its children)


_consumer: dict[str, int] = {}
TASKS_NICENESS = 10


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
                    "when_ready": (lambda server: None) if no_tasks else fork_task_consumer,
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
            stop_task_consumer()
