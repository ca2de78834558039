"""Fixtures of the notification tests: real servers on 127.0.0.1 and the in-memory task queue."""

import datetime
import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage

from pantau.conftest import free_port


@pytest.fixture(autouse=True)
def _empty_queue():
    """Each test starts and ends with an empty (in-memory) queue and schedule."""
    assert isinstance(HUEY.storage, MemoryStorage), "tests must never touch a real queue"
    HUEY.storage.flush_all()
    yield HUEY
    HUEY.storage.flush_all()


@pytest.fixture(autouse=True)
def _no_notifications_yet(db):
    """The demo data may come with notifications (its example problems): start from none."""
    from pantau.notify.models import Notification, WebhookDelivery

    WebhookDelivery.objects.all().delete()
    Notification.objects.all().delete()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # urllib honours *_proxy variables: a test must reach 127.0.0.1 directly, nothing else.
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def queued(monkeypatch):
    """Switch the queue to production behaviour: tasks are stored, not run, until dequeued."""

    @contextmanager
    def _queued():
        with monkeypatch.context() as patch:
            patch.setattr(HUEY, "immediate_use_memory", False)  # keep the in-memory storage
            patch.setattr(HUEY, "immediate", False)
            yield HUEY

    return _queued


@pytest.fixture
def run_scheduled():
    """Take the tasks out of the schedule and run each at its eta (as the consumer would then)."""

    def _run(traveller=None) -> list:
        tasks = HUEY.read_schedule(timestamp=datetime.datetime(9999, 1, 1))
        for task in tasks:
            if traveller is not None:  # a time_machine traveller: the clock moves to the eta
                traveller.move_to(task.eta.replace(tzinfo=datetime.UTC))
            HUEY.execute(task, timestamp=task.eta)
        return tasks

    return _run


class Gateway:
    """A webhook receiver on 127.0.0.1: answers the given statuses in turn, then 200."""

    def __init__(self, statuses=(), delay: float = 0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if gateway.delay:
                    time.sleep(gateway.delay)
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"gateway trouble")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    started = []

    def _start(statuses=(), delay: float = 0) -> Gateway:
        started.append(Gateway(statuses, delay))
        return started[-1]

    yield _start
    for server in started:
        server.stop()


class Mailbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port; Pantau is configured for it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.SITE_URL = "https://pantau.example.go.id"
    yield mailbox
    controller.stop()
