"""Password logins outside the login page (API tokens, ODK Collect): one brake on guessing.

Failed logins are counted per username and per client address in the shared cache
(django-ratelimit): past the allowance in the window, the next attempt answers 429 until the
window passes, even with the right password. The allowance per address is higher than per
username: behind a proxy, or in a kecamatan office on one connection, many people share an
address, and one person guessing must not lock out a whole office on voting day.
"""

import ipaddress

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from pantau.lib.errors import NotAuthenticated, RateLimited

LOGIN_FAILURES_ALLOWED = 10  # failed logins per username in five minutes
ADDRESS_FAILURES_ALLOWED = 50  # failed logins per client address in five minutes


def client_address(group: str, request: HttpRequest) -> str:
    """The caller's address (an IPv6 address by its /64, what one client usually holds).
    Behind a proxy this is the proxy's unless the server passes the client's on."""
    address = request.META.get("REMOTE_ADDR") or "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _login_usages(request: HttpRequest, username: str, *, increment: bool) -> list[dict]:
    name = username.strip().lower()
    keys = [
        ("pantau-login-user", lambda group, req: name, LOGIN_FAILURES_ALLOWED),
        ("pantau-login-ip", client_address, ADDRESS_FAILURES_ALLOWED),
    ]
    usages = []
    for group, key, allowed in keys:
        usage = get_usage(request, group=group, key=key, rate=f"{allowed}/5m", increment=increment)
        if usage is not None:
            usages.append(usage)
    return usages


def check_login_allowed(request: HttpRequest, username: str) -> None:
    """RateLimited (429) after too many failed logins for this username or from this address."""
    usages = _login_usages(request, username, increment=False)
    blocked = [u for u in usages if u["count"] >= u["limit"]]
    if blocked:
        raise RateLimited(
            _("Too many failed logins. Wait a few minutes and try again."),
            retry_after=max(u["time_left"] for u in blocked),
        )


def password_login(request: HttpRequest, username: str, password: str):
    """The user with these credentials; counts a failure and answers 401 otherwise."""
    check_login_allowed(request, username)
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        # The login page's lock (django-axes) holds here too, right password or not.
        from pantau.accounts.lockout import cool_off_minutes, lockout_message

        raise RateLimited(lockout_message(), retry_after=cool_off_minutes() * 60)
    if user is None or not user.is_active:
        _login_usages(request, username, increment=True)
        raise NotAuthenticated(_("Wrong username or password."), code="invalid_credentials")
    return user
