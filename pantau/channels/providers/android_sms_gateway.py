"""SMS through an Android phone running the open-source "SMS Gateway for Android" app
(sms-gate.app): its `sms:received` webhook and its API's POST /message.

The app signs each webhook call: X-Signature is the hex HMAC-SHA256, with the webhook signing
key, of the raw body followed by the X-Timestamp header (unix seconds). Another gateway is
another module with the same four functions (see channels/base.py), chosen by PANTAU_SMS_GATEWAY.
"""

import datetime as dt
import hashlib
import hmac
import time

from django.conf import settings
from pydantic import BaseModel, ConfigDict, ValidationError

from pantau.channels import http
from pantau.channels.base import Message, SendError
from pantau.lib.phones import normalize_or_none

CHANNEL = "sms"
MAX_AGE = 300  # seconds: an older signed call is a replay


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Sms(_Model):
    message: str = ""
    phoneNumber: str  # noqa: N815 (the app's field names)
    receivedAt: str = ""  # noqa: N815
    messageId: str = ""  # noqa: N815 (made from the content: not unique)


class _Event(_Model):
    id: str  # the event's id: unique, the same on the app's retries
    event: str
    deviceId: str = ""  # noqa: N815
    payload: dict = {}


def verify(request) -> bool:
    key = settings.SMS_SIGNING_KEY
    signature = request.headers.get("X-Signature", "")
    timestamp = request.headers.get("X-Timestamp", "")
    if not key or not signature or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > MAX_AGE:
        return False
    expected = hmac.new(key.encode(), request.body + timestamp.encode(), hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), signature.strip().lower())


def parse(body: bytes) -> list[Message]:
    try:
        event = _Event.model_validate_json(body)
        if event.event != "sms:received":
            return []  # sms:sent, sms:delivered, system:ping, ...
        sms = _Sms.model_validate(event.payload)
    except ValidationError as exc:
        raise ValueError(str(exc)) from None
    address = normalize_or_none(sms.phoneNumber)
    if address is None:
        return []
    try:
        sent_at = dt.datetime.fromisoformat(sms.receivedAt)
        if sent_at.tzinfo is None:
            raise ValueError
    except ValueError:
        sent_at = dt.datetime.now(tz=dt.UTC)
    return [
        Message(
            channel=CHANNEL,
            external_id=event.id,
            address=address,
            text=sms.message,
            sent_at=sent_at,
        )
    ]


def send(address: str, text: str, choices=(), template: str = "") -> None:
    if not settings.SMS_API_URL:
        raise SendError("PANTAU_SMS_API_URL is not set")
    if choices:
        # no buttons on SMS: numbered choices (the conversation takes the number as the answer)
        text = (
            text
            + "\n"
            + "\n".join(f"{i}. {label}" for i, (_value, label) in enumerate(choices, start=1))
        )
    http.call_json(
        "POST",
        settings.SMS_API_URL.rstrip("/") + "/message",
        payload={"textMessage": {"text": text}, "phoneNumbers": [address]},
        basic=(settings.SMS_USERNAME, settings.SMS_PASSWORD),
    )


def fetch_media(ref: str) -> tuple[bytes, str]:
    raise SendError("an SMS carries no image")
