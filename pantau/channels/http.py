"""HTTP to the providers' APIs: JSON in and out, a short timeout, no redirects followed."""

import json
import urllib.request
from base64 import b64encode
from urllib.parse import urlsplit

from pantau.channels.base import SendError

TIMEOUT = 10  # seconds
MAX_MEDIA = 16 * 1024 * 1024  # WhatsApp's own limit for images is 5 MB


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def call(
    method: str,
    url: str,
    *,
    payload: dict | None = None,
    headers: dict | None = None,
    basic: tuple[str, str] | None = None,
    limit: int = 1024 * 1024,
) -> tuple[bytes, str]:
    """The answer's body and content type; SendError when unreachable or not 2xx."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise SendError(f"not an http(s) URL: {url!r}")
    headers = {"User-Agent": "Pantau/1", **(headers or {})}
    body = None
    if payload is not None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    if basic:
        headers["Authorization"] = "Basic " + b64encode(":".join(basic).encode()).decode()
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            data = response.read(limit + 1)
            if len(data) > limit:
                raise SendError("answer too large")
            return data, response.headers.get("Content-Type", "")
    except urllib.request.HTTPError as exc:
        with exc:
            raise SendError(
                f"HTTP {exc.code}: {exc.read(300).decode('utf-8', 'replace')}"
            ) from None
    except (OSError, ValueError) as exc:
        raise SendError(f"{type(exc).__name__}: {exc}") from None


def call_json(method: str, url: str, **kwargs) -> dict:
    data, _type = call(method, url, **kwargs)
    try:
        return json.loads(data or b"{}")
    except ValueError:
        raise SendError("the answer is not JSON") from None
