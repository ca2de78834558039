"""Fixtures of the channel tests: the providers' stand-in on 127.0.0.1, Pantau configured for it."""

import datetime as dt
import json

import pytest

from pantau.channels.tests.providers import Provider


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def provider(settings, tmp_path):
    """The providers' APIs on 127.0.0.1; Pantau's settings point at them."""
    server = Provider()
    for name, value in server.settings().items():
        setattr(settings, name.removeprefix("PANTAU_"), value)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://pantau.example.go.id"
    yield server
    server.stop()


# 27 November 2024, 09:30 WIB: voting day, when the checklist has required questions.
VOTING_TS = int(dt.datetime(2024, 11, 27, 2, 30, tzinfo=dt.UTC).timestamp())
KADES = "6281230000021"  # the demo village head of Ngadisari (README)
MONITOR = "6281230000022"  # the field monitor of three villages in Kraksaan


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST raw bytes to a webhook; what the view queues on commit runs (as the task queue
    would run it right after)."""

    def _post(path, body: bytes, headers: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic(
                "POST", path, body, content_type="application/json", headers=headers
            )

    return _post


@pytest.fixture
def send(post):
    """Send a WhatsApp payload, signed with the app secret (or with `signature`)."""
    from pantau.channels.tests.providers import wa_signature

    def _send(payload, signature=None):
        body = json.dumps(payload).encode()
        return post(
            "/channels/whatsapp/", body, {"X-Hub-Signature-256": signature or wa_signature(body)}
        )

    return _send
