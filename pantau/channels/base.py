"""What every channel adapter hands over and takes back: one shape for WhatsApp, Telegram and
SMS, so that the conversation (conversation.py) never knows which provider it talks to.

An adapter is a module with:

    verify(request) -> bool                  the provider's signature or secret on the request
    parse(body: bytes) -> list[Message]      the messages of one webhook call (ValueError: bad)
    send(address, text, choices, template)   one message out (SendError when it did not go)
    fetch_media(ref) -> (bytes, mime type)   an image sent with a message (SendError)
"""

import datetime as dt
from dataclasses import dataclass, field


class SendError(Exception):
    """The provider did not take the message (unreachable, or an answer outside 2xx)."""


@dataclass(frozen=True)
class Message:
    channel: str
    external_id: str  # the provider's id of the message: the same id is handled once
    address: str  # E.164 (WhatsApp, SMS) or the chat id (Telegram)
    text: str
    sent_at: dt.datetime
    media: list[dict] = field(default_factory=list)  # [{"ref": "...", "mime": "image/jpeg"}]
    callback: str = ""  # Telegram: the callback query to answer (a button pressed)


@dataclass(frozen=True)
class Reply:
    text: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (answer sent back, label)
