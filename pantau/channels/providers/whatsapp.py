"""WhatsApp Business Cloud API: the webhook (Meta's payload: object / entry / changes / value /
messages) and the Graph API's /{phone-id}/messages and media endpoints.

The payload is read with pydantic models of the documented shape (only the fields used here;
everything else is ignored), rather than a WhatsApp SDK: pywa and the like bring a web
framework integration and an HTTP client of their own for the handful of fields read here.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pantau.channels import http
from pantau.channels.base import Message, SendError
from pantau.lib.phones import normalize_or_none

CHANNEL = "whatsapp"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Text(_Model):
    body: str = ""


class _Media(_Model):
    id: str
    mime_type: str = ""
    caption: str = ""


class _Reply(_Model):
    id: str
    title: str = ""


class _Interactive(_Model):
    type: str
    button_reply: _Reply | None = None
    list_reply: _Reply | None = None


class _Button(_Model):  # a quick-reply button of a template
    payload: str = ""
    text: str = ""


class _Message(_Model):
    sender: str = Field(alias="from")
    id: str
    timestamp: str
    type: str
    text: _Text | None = None
    image: _Media | None = None
    interactive: _Interactive | None = None
    button: _Button | None = None


class _Value(_Model):
    messages: list[_Message] = []


class _Change(_Model):
    field: str
    value: _Value


class _Entry(_Model):
    id: str = ""
    changes: list[_Change] = []


class _Payload(_Model):
    object: str
    entry: list[_Entry] = []


def verify(request) -> bool:
    """X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body with the app secret."""
    secret = settings.WHATSAPP_APP_SECRET
    header = request.headers.get("X-Hub-Signature-256", "")
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, header.strip())


def parse(body: bytes) -> list[Message]:
    try:
        payload = _Payload.model_validate_json(body)
    except ValidationError as exc:
        raise ValueError(str(exc)) from None
    if payload.object != "whatsapp_business_account":
        raise ValueError("not a WhatsApp Business Account notification")
    found = []
    for entry in payload.entry:
        for change in entry.changes:
            if change.field != "messages":
                continue
            for msg in change.value.messages:  # statuses (sent, read, ...) carry none
                address = normalize_or_none(msg.sender)
                if address is None:
                    continue
                text, media = "", []
                if msg.text is not None:
                    text = msg.text.body
                elif msg.image is not None:
                    text = msg.image.caption
                    media = [{"ref": msg.image.id, "mime": msg.image.mime_type}]
                elif msg.interactive is not None:
                    reply = msg.interactive.button_reply or msg.interactive.list_reply
                    text = reply.id if reply else ""
                elif msg.button is not None:
                    text = msg.button.payload or msg.button.text
                try:
                    sent_at = dt.datetime.fromtimestamp(int(msg.timestamp), tz=dt.UTC)
                except (ValueError, OverflowError):
                    raise ValueError("bad timestamp") from None
                found.append(
                    Message(
                        channel=CHANNEL,
                        external_id=msg.id,
                        address=address,
                        text=text,
                        sent_at=sent_at,
                        media=media,
                    )
                )
    return found


def _auth() -> dict:
    return {"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}"}


def send(address: str, text: str, choices=(), template: str = "") -> None:
    to = address.lstrip("+")
    message: dict = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    if template:
        message.update(
            type="template",
            template={
                "name": template,
                "language": {"code": settings.WHATSAPP_TEMPLATE_LANGUAGE},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": text[:1000]}]}
                ],
            },
        )
    elif choices and len(choices) <= 3:
        message.update(
            type="interactive",
            interactive={
                "type": "button",
                "body": {"text": text[:1024]},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": value, "title": label[:20]}}
                        for value, label in choices
                    ]
                },
            },
        )
    elif choices and len(choices) <= 10:
        message.update(
            type="interactive",
            interactive={
                "type": "list",
                "body": {"text": text[:1024]},
                "action": {
                    "button": "Pilih",
                    "sections": [
                        {
                            "title": "Pilihan",
                            "rows": [
                                {"id": value, "title": label[:24]} for value, label in choices
                            ],
                        }
                    ],
                },
            },
        )
    else:
        message.update(type="text", text={"body": text[:4096]})
    url = f"{settings.WHATSAPP_API_URL}/{settings.WHATSAPP_PHONE_ID}/messages"
    http.call_json("POST", url, payload=message, headers=_auth())


def fetch_media(ref: str) -> tuple[bytes, str]:
    """The media endpoint gives a short-lived URL; that URL, with the token, gives the bytes."""
    info = http.call_json("GET", f"{settings.WHATSAPP_API_URL}/{ref}", headers=_auth())
    if not isinstance(info.get("url"), str):
        raise SendError("no media URL")
    data, mime = http.call("GET", info["url"], headers=_auth(), limit=http.MAX_MEDIA)
    return data, info.get("mime_type") or mime
