"""Outgoing webhooks: signing, the back-off schedule and one delivery attempt, without the queue.

For gateway authors (a WhatsApp or Telegram bridge, ...)
---------------------------------------------------------
Pantau POSTs one JSON object per event to the webhook's URL::

    {"event": "escalate", "title": "...", "body": "...", "url": "https://pantau.../masalah/12/",
     "sent_at": "2024-11-26T08:15:00+00:00", "recipients": ["camat-tongas"],
     "problem": {"id": 12, "title": "...", "status": "...", "level": "...", "severity": "...",
                 "region": "35.13.12"}}

with the headers

    Content-Type: application/json
    X-Pantau-Event: escalate
    X-Pantau-Delivery: 345                 the delivery's id: the same on every retry
    X-Pantau-Timestamp: 1732608900         unix seconds of this attempt
    X-Pantau-Signature: sha256=<hex>       HMAC-SHA256 of "<timestamp>.<raw body>" with the secret

Check the signature on the raw body bytes before parsing them, reject old timestamps (replays),
and answer 2xx quickly. Anything else (or no answer within 10 s) is retried after 30 s, 2 min,
8 min, 32 min and about 2 h; after 6 attempts the delivery is marked failed. A delivery can
arrive more than once (a retry after a lost answer): use X-Pantau-Delivery to ignore repeats.
In Python, `verify_signature()` below is the whole check; it needs only the standard library.
"""

import hashlib
import hmac
import http.client
import json
import time
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from pantau.lib.backoff import FIRST_DELAY, MAX_ATTEMPTS, retry_delay  # noqa: F401 (public)
from pantau.notify.models import WebhookDelivery

TIMEOUT = 10  # seconds for one POST
USER_AGENT = "Pantau-Webhook/1"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Pantau-Signature header: "sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>"."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes,
    header: str,
    *,
    max_age: int | None = 300,
    now: float | None = None,
) -> bool:
    """Whether `header` (X-Pantau-Signature) is Pantau's signature of `body` at `timestamp`.

    `timestamp` is the X-Pantau-Timestamp header and `body` the raw request body (bytes, before
    any JSON parsing). With `max_age` (seconds, default 5 minutes) a timestamp further than that
    from `now` (default: the current time) is refused, so a captured request cannot be replayed
    later; pass None to skip that check. The comparison runs in constant time.
    """
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if max_age is not None and abs((time.time() if now is None else now) - ts) > max_age:
        return False
    if not isinstance(header, str) or not isinstance(body, bytes | bytearray):
        return False
    return hmac.compare_digest(sign(secret, ts, bytes(body)), header.strip())


def encode(payload: dict) -> bytes:
    return json.dumps(
        payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would turn into a GET without the body: a redirect is a failure for
    # the gateway's owner to fix, not something to follow.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body`; answer (HTTP status, start of the response). Raises OSError when unreachable."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise ValueError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirects)  # reads *_proxy from the environment
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.status, response.read(500).decode("utf-8", "replace")
    except urllib.request.HTTPError as exc:  # a status outside 2xx (or a redirect)
        with exc:
            return exc.code, exc.read(500).decode("utf-8", "replace")


def attempt_delivery(delivery: WebhookDelivery) -> bool:
    """Make one attempt at `delivery` and record it; True when the gateway answered 2xx.

    After a failure the delivery stays pending with `next_attempt_at` set (the caller schedules
    the retry: see tasks.deliver_webhook), or becomes failed after MAX_ATTEMPTS attempts. A
    delivery that is no longer pending is left alone; one whose webhook was switched off fails.
    """
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status == WebhookDelivery.Status.SENT
    webhook = delivery.webhook
    if not webhook.is_active:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.last_error = "webhook switched off"
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
        return False

    body = encode(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Pantau-Event": delivery.event,
        "X-Pantau-Delivery": str(delivery.pk),
        "X-Pantau-Timestamp": str(timestamp),
        "X-Pantau-Signature": sign(webhook.secret, timestamp, body),
    }
    try:
        status, answer = post(webhook.url, body, headers)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"
    else:
        ok = 200 <= status < 300
        error = "" if ok else f"HTTP {status}: {answer}".strip()

    now = timezone.now()
    delivery.attempts += 1
    if ok:
        delivery.status = WebhookDelivery.Status.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
    else:
        delivery.last_error = error[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + timedelta(seconds=retry_delay(delivery.attempts))
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "sent_at"])
    return ok
