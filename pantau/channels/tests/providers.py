"""The providers' side in tests: their documented webhook payloads, and a server on 127.0.0.1
that stands in for their APIs (Graph API, Bot API, SMS Gateway's /message) and records what
Pantau sends to it."""

import hashlib
import hmac
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image

APP_SECRET = "wa-app-secret"
VERIFY_TOKEN = "wa-verify-token"
PHONE_ID = "106540352242922"
WA_TOKEN = "wa-token"
TG_TOKEN = "123456:ABC-test"
TG_SECRET = "tg-secret-token"
SMS_KEY = "sms-signing-key"
SMS_USER, SMS_PASSWORD = "sms", "sms-password"


def jpeg(width=1200, height=900) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, "JPEG", quality=80)
    return out.getvalue()


class Provider:
    """One server for the three APIs, under /graph, /telegram and /sms."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail = 0  # answer 503 to this many sends first
        self.image = jpeg()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status, body, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, body=b""):
                entry = {"method": self.command, "path": self.path, "headers": dict(self.headers)}
                entry["json"] = json.loads(body) if body else None
                provider.requests.append(entry)

            def do_GET(self):
                self._record()
                url = urlsplit(self.path)
                base = f"http://127.0.0.1:{provider.port}"
                if url.path.startswith("/graph/media-bytes/"):
                    return self._answer(200, provider.image, "image/jpeg")
                if url.path.startswith("/graph/"):
                    media_id = url.path.rsplit("/", 1)[1]
                    return self._answer(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "url": f"{base}/graph/media-bytes/{media_id}",
                            "mime_type": "image/jpeg",
                            "sha256": hashlib.sha256(provider.image).hexdigest(),
                            "file_size": len(provider.image),
                            "id": media_id,
                        },
                    )
                if "/getFile" in url.path:
                    file_id = parse_qs(url.query)["file_id"][0]
                    return self._answer(
                        200,
                        {
                            "ok": True,
                            "result": {
                                "file_id": file_id,
                                "file_unique_id": "u" + file_id,
                                "file_size": len(provider.image),
                                "file_path": "photos/file_7.jpg",
                            },
                        },
                    )
                if url.path.startswith("/telegram/file/"):
                    return self._answer(200, provider.image, "application/octet-stream")
                return self._answer(404, {"error": "not here"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._record(body)
                if provider.fail > 0:
                    provider.fail -= 1
                    return self._answer(503, {"error": "try later"})
                if self.path.startswith("/graph/"):
                    return self._answer(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "contacts": [{"input": "x", "wa_id": "x"}],
                            "messages": [{"id": "wamid.sent"}],
                        },
                    )
                if self.path.startswith("/telegram/"):
                    return self._answer(200, {"ok": True, "result": True})
                if self.path.startswith("/sms/"):
                    return self._answer(202, {"id": "sms-out", "state": "Pending"})
                return self._answer(404, {"error": "not here"})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def settings(self) -> dict:
        """Pantau's environment for this provider."""
        return {
            "PANTAU_WHATSAPP_API_URL": self.url + "/graph",
            "PANTAU_WHATSAPP_PHONE_ID": PHONE_ID,
            "PANTAU_WHATSAPP_TOKEN": WA_TOKEN,
            "PANTAU_WHATSAPP_APP_SECRET": APP_SECRET,
            "PANTAU_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "PANTAU_TELEGRAM_API_URL": self.url + "/telegram",
            "PANTAU_TELEGRAM_TOKEN": TG_TOKEN,
            "PANTAU_TELEGRAM_SECRET_TOKEN": TG_SECRET,
            "PANTAU_SMS_API_URL": self.url + "/sms",
            "PANTAU_SMS_USERNAME": SMS_USER,
            "PANTAU_SMS_PASSWORD": SMS_PASSWORD,
            "PANTAU_SMS_SIGNING_KEY": SMS_KEY,
        }

    def sent(self, kind: str) -> list[dict]:
        """The messages Pantau sent through one API (the JSON bodies)."""
        prefix = {"whatsapp": "/graph/", "telegram": "/telegram/", "sms": "/sms/"}[kind]
        return [
            r["json"]
            for r in self.requests
            if r["method"] == "POST"
            and r["path"].startswith(prefix)
            and not r["path"].endswith("answerCallbackQuery")
        ]

    def texts(self, kind: str) -> list[str]:
        out = []
        for body in self.sent(kind):
            if kind == "whatsapp":
                if body["type"] == "text":
                    out.append(body["text"]["body"])
                elif body["type"] == "interactive":
                    out.append(body["interactive"]["body"]["text"])
                else:
                    out.append(body["template"]["components"][0]["parameters"][0]["text"])
            elif kind == "telegram":
                out.append(body["text"])
            else:
                out.append(body["textMessage"]["text"])
        return out

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# The providers' webhook payloads, as their documentation shows them.


def whatsapp_payload(sender: str, message: dict, name: str = "Kades") -> dict:
    """A WhatsApp Cloud API `messages` notification carrying one message from `sender`
    (digits without "+", as wa_id)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": PHONE_ID,
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
                            "messages": [{"from": sender, **message}],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def wa_text(sender, msg_id, text, ts):
    return whatsapp_payload(
        sender, {"id": msg_id, "timestamp": str(ts), "type": "text", "text": {"body": text}}
    )


def wa_image(sender, msg_id, caption, ts, media_id="1266389511046245"):
    return whatsapp_payload(
        sender,
        {
            "id": msg_id,
            "timestamp": str(ts),
            "type": "image",
            "image": {
                "caption": caption,
                "mime_type": "image/jpeg",
                "sha256": "fNkEU3/Dl6bGGbv0d0WLLnS8WkIVf1VTYtEmsrGU5PY=",
                "id": media_id,
            },
        },
    )


def wa_button(sender, msg_id, button_id, title, ts):
    return whatsapp_payload(
        sender,
        {
            "id": msg_id,
            "timestamp": str(ts),
            "type": "interactive",
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": button_id, "title": title},
            },
        },
    )


def wa_list(sender, msg_id, row_id, title, ts, description=""):
    """The reply to an interactive list: the row chosen (Cloud API, "list_reply")."""
    return whatsapp_payload(
        sender,
        {
            "id": msg_id,
            "timestamp": str(ts),
            "type": "interactive",
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": row_id, "title": title, "description": description},
            },
        },
    )


def wa_signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def tg_message(update_id, chat_id, text, date, photo=False):
    message = {
        "message_id": update_id + 1000,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Kades", "language_code": "id"},
        "chat": {"id": chat_id, "first_name": "Kades", "type": "private"},
        "date": date,
    }
    if photo:
        message["photo"] = [
            {
                "file_id": "AgAC-small",
                "file_unique_id": "s1",
                "file_size": 1200,
                "width": 90,
                "height": 67,
            },
            {
                "file_id": "AgAC-large",
                "file_unique_id": "l1",
                "file_size": 88000,
                "width": 1280,
                "height": 960,
            },
        ]
        message["caption"] = text
    else:
        message["text"] = text
    return {"update_id": update_id, "message": message}


def tg_callback(update_id, chat_id, data, date):
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Kades"},
            "message": {
                "message_id": 55,
                "from": {"id": 999, "is_bot": True, "first_name": "Pantau"},
                "chat": {"id": chat_id, "type": "private"},
                "date": date,
                "text": "?",
            },
            "chat_instance": "-1234",
            "data": data,
        },
    }


def sms_received(event_id, phone, text, received_at):
    """An SMS Gateway for Android `sms:received` webhook body."""
    return {
        "deviceId": "ffffffffceb0b1db00000193991c27e5",
        "event": "sms:received",
        "id": event_id,
        "payload": {
            "message": text,
            "receivedAt": received_at,
            "messageId": "69bde8d0",
            "phoneNumber": phone,
            "simNumber": 1,
        },
        "webhookId": "LreFUt-Z3sSq0JufY9uWB",
    }


def sms_headers(body: bytes, key: str = SMS_KEY, timestamp: int | None = None) -> dict:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = hmac.new(key.encode(), body + ts.encode(), hashlib.sha256).hexdigest()
    return {"X-Signature": signature, "X-Timestamp": ts}


# Guided conversations (no command: the questions lead), as the three channels' users answer
# them; the test-client tests and the running-server tests send the same ones.

GUIDED_NARRATIVE = "Antrean panjang di TPS 2"
GUIDED_ANSWERS = {"tps_buka_tepat": True, "surat_suara_cukup": False, "gangguan": "tidak ada"}


def wa_guided(sender, ts, prefix="wamid.G"):
    """WhatsApp: "halo", then the buttons (kind, situation), the narrative, "ya", a typo of
    "tidak" and the first choice: a waspada report with GUIDED_ANSWERS."""
    return [
        wa_text(sender, f"{prefix}1", "halo pak", ts),
        wa_button(sender, f"{prefix}2", "1", "Laporan", ts),
        wa_button(sender, f"{prefix}3", "waspada", "Waspada", ts),
        wa_text(sender, f"{prefix}4", GUIDED_NARRATIVE, ts),
        wa_text(sender, f"{prefix}5", "ya", ts),
        wa_text(sender, f"{prefix}6", "tidk", ts),  # a typo is still "tidak"
        wa_button(sender, f"{prefix}7", "1", "tidak ada", ts),
    ]


def tg_guided(chat_id, ts, first_update=100):
    """Telegram: the same conversation, the choices by inline-keyboard buttons (callback
    queries), the narrative typed."""
    steps = [
        ("text", "halo pak"),
        ("button", "1"),
        ("button", "waspada"),
        ("text", GUIDED_NARRATIVE),
        ("button", "ya"),
        ("button", "tidak"),
        ("button", "1"),
    ]
    return [
        (tg_message if kind == "text" else tg_callback)(first_update + i, chat_id, value, ts)
        for i, (kind, value) in enumerate(steps)
    ]


# SMS has no buttons: the choices are answered by their numbers, as listed.
SMS_GUIDED_TEXTS = ["Halo", "1", "3", "Ada keributan kecil", "1", "2", "2"]
SMS_GUIDED_NARRATIVE = "Ada keributan kecil"


def sms_guided(phone, received_at, prefix="G-"):
    """SMS: a rawan report whose "gangguan" is "ringan"."""
    return [
        sms_received(f"{prefix}{i}", phone, text, received_at)
        for i, text in enumerate(SMS_GUIDED_TEXTS)
    ]
