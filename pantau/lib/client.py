"""Who is on the other end of a request: the client's address, decided in one place.

The login brake of the login page (django-axes), the API and ODK brake
(pantau.accounts.logins), the access log axes keeps and the rate limits (django-ratelimit,
settings.RATELIMIT_IP_META_KEY) all call `client_ip`.

`REMOTE_ADDR` is the address of whoever opened the connection. Behind the TLS proxy that is
the proxy, the same for every client; only when the deployment says so (PANTAU_BEHIND_PROXY=1,
settings.BEHIND_PROXY) is the client's address taken from the proxy's `X-Forwarded-For`: its
LAST entry, the one the proxy itself appended (nginx's `$proxy_add_x_forwarded_for`). Entries
before it are whatever the client chose to send and are never trusted.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address as text; None when there is no valid one (a request made inside
    the server, e.g. by the test client without REMOTE_ADDR)."""
    meta = getattr(request, "META", {})
    candidates = [meta.get("REMOTE_ADDR") or ""]
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        candidates.insert(0, forwarded)
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_key(request) -> str:
    """The address a brake counts by: an IPv4 address, or an IPv6 address's /64 (what one
    client usually holds); "-" when there is none."""
    address = client_ip(request)
    if address is None:
        return "-"
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return address


def ratelimit_ip(request) -> str:
    """`client_ip` for django-ratelimit's "ip" key (settings.RATELIMIT_IP_META_KEY), which
    needs an address: 0.0.0.0 stands for none."""
    return client_ip(request) or "0.0.0.0"
