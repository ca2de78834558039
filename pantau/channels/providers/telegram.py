"""Telegram Bot API: the webhook's Update objects (a message, or a button pressed: a
callback_query) and sendMessage / getFile / answerCallbackQuery.

The webhook is set with a `secret_token`; Telegram sends it back in the
X-Telegram-Bot-Api-Secret-Token header of every call.
"""

import datetime as dt
import hmac
from urllib.parse import quote

from django.conf import settings
from pydantic import BaseModel, ConfigDict, ValidationError

from pantau.channels import http
from pantau.channels.base import Message, SendError

CHANNEL = "telegram"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Chat(_Model):
    id: int
    type: str = "private"


class _Photo(_Model):
    file_id: str
    width: int = 0
    height: int = 0
    file_size: int | None = None


class _Msg(_Model):
    message_id: int
    chat: _Chat
    date: int
    text: str = ""
    caption: str = ""
    photo: list[_Photo] = []


class _Callback(_Model):
    id: str
    data: str = ""
    message: _Msg | None = None


class _Update(_Model):
    update_id: int
    message: _Msg | None = None
    callback_query: _Callback | None = None


def verify(request) -> bool:
    secret = settings.TELEGRAM_SECRET_TOKEN
    header = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    return bool(secret) and hmac.compare_digest(secret.encode(), header.encode())


def parse(body: bytes) -> list[Message]:
    try:
        update = _Update.model_validate_json(body)
    except ValidationError as exc:
        raise ValueError(str(exc)) from None
    if update.message is not None:
        msg = update.message
        media = []
        if msg.photo:  # the sizes of one photo, smallest first: the largest one
            best = max(msg.photo, key=lambda p: p.width * p.height)
            media = [{"ref": best.file_id, "mime": "image/jpeg"}]
        return [
            Message(
                channel=CHANNEL,
                external_id=str(update.update_id),
                address=str(msg.chat.id),
                text=msg.text or msg.caption,
                sent_at=dt.datetime.fromtimestamp(msg.date, tz=dt.UTC),
                media=media,
            )
        ]
    if update.callback_query is not None and update.callback_query.message is not None:
        query = update.callback_query
        return [
            Message(
                channel=CHANNEL,
                external_id=str(update.update_id),
                address=str(query.message.chat.id),
                text=query.data,
                sent_at=dt.datetime.now(tz=dt.UTC),
                callback=query.id,
            )
        ]
    return []  # an edited message, a channel post, ...: nothing to do


def _method(name: str) -> str:
    return f"{settings.TELEGRAM_API_URL}/bot{settings.TELEGRAM_TOKEN}/{name}"


def send(address: str, text: str, choices=(), template: str = "") -> None:
    message: dict = {"chat_id": int(address) if address.lstrip("-").isdigit() else address}
    message["text"] = text[:4096]
    if choices:
        message["reply_markup"] = {
            "inline_keyboard": [
                [{"text": label, "callback_data": value[:64]}] for value, label in choices
            ]
        }
    answer = http.call_json("POST", _method("sendMessage"), payload=message)
    if not answer.get("ok", False):
        raise SendError(str(answer.get("description", "not ok")))


def answer_callback(callback_id: str) -> None:
    """Stop the spinner on the button pressed (best effort)."""
    try:
        http.call_json(
            "POST", _method("answerCallbackQuery"), payload={"callback_query_id": callback_id}
        )
    except SendError:
        pass


def fetch_media(ref: str) -> tuple[bytes, str]:
    info = http.call_json("GET", _method("getFile") + "?file_id=" + quote(ref))
    path = (info.get("result") or {}).get("file_path")
    if not info.get("ok") or not isinstance(path, str):
        raise SendError("getFile gave no file_path")
    url = f"{settings.TELEGRAM_API_URL}/file/bot{settings.TELEGRAM_TOKEN}/{path}"
    data, mime = http.call("GET", url, limit=http.MAX_MEDIA)
    return data, "image/jpeg" if not mime.startswith("image/") else mime
