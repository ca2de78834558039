"""Two-factor login pages: enrol a TOTP app, give the code after the password, print backup
codes, remove it."""

import base64

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from pantau.accounts import actions, two_factor
from pantau.accounts.forms import CodeForm
from pantau.accounts.middleware import STEP_KEY
from pantau.lib.errors import Invalid


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


def _qr_data_url(url: str) -> str:
    """The QR code as an SVG image in a data: URL (the policy allows data: images; nothing is
    put into the page unescaped)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@login_required
def enrol(request):
    """Set up an authenticator app: the QR code (and the key as text), then one code."""
    user = request.user
    enrolled = two_factor.has_device(user)
    if enrolled and not user.is_verified():
        return redirect("two-factor-verify")
    device = actions.do_start_totp_enrolment(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_confirm_totp(user, form.cleaned_data["code"], request=request)
        except Invalid as exc:
            form.add_error("code", exc.message)
        else:
            request.session[STEP_KEY] = ""
            messages.success(request, _("Two-factor login is on for your account."))
            # next: backup codes, for the day the phone is lost
            url = reverse("two-factor-backup") + "?" + urlencode({"next": _next_url(request)})
            return redirect(url)
    if request.method == "POST":
        status = 400
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "enrolled": enrolled,
            "required": two_factor.is_required(user),
            "qr": _qr_data_url(device.config_url),
            "secret": _base32(device),
            "next": _next_url(request),
        },
        status=status,
    )


def _base32(device) -> str:
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
def verify(request):
    """The second step after the password for a user with an authenticator app."""
    user = request.user
    if not two_factor.has_device(user):
        return redirect(_next_url(request))
    backup_form = bool(request.GET.get("cadangan") or request.POST.get("cadangan"))
    form = CodeForm(request.POST or None, backup=backup_form)
    status = 200
    if request.method == "POST":
        device = two_factor.check_code(user, form.cleaned_data["code"]) if form.is_valid() else None
        if device is not None:
            otp_login(request, device)
            request.session[STEP_KEY] = ""
            if device.persistent_id != two_factor.confirmed_device(user).persistent_id:
                left = two_factor.backup_codes_left(user)
                messages.warning(
                    request,
                    _("You used a backup code; %(left)d left. Make new ones if you run short.")
                    % {"left": left},
                )
            return redirect(_next_url(request))
        form.add_error(
            "code", _("The code is not right. Check the time on your phone and try again.")
        )
        status = 400
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request), "backup": backup_form},
        status=status,
    )


@login_required
@never_cache  # the codes are shown once: not kept by the browser either
def backup(request):
    """Backup codes: how many are left; a POST makes a new set and shows it once."""
    user = request.user
    if not two_factor.has_device(user):
        return redirect("two-factor-enrol")
    if not user.is_verified():
        return redirect("two-factor-verify")
    codes = None
    if request.method == "POST":
        codes = [f"{c[:4]} {c[4:]}" for c in actions.do_make_backup_codes(user)]
    return render(
        request,
        "accounts/two_factor_backup.html",
        {"codes": codes, "left": two_factor.backup_codes_left(user), "next": _next_url(request)},
    )


@login_required
@require_POST
def remove(request):
    """Turn two-factor login off (not allowed where the deployment requires it)."""
    if two_factor.has_device(request.user) and not request.user.is_verified():
        return redirect("two-factor-verify")
    if two_factor.is_required(request.user):
        messages.error(request, _("Two-factor login is required for your account."))
        return redirect("two-factor-enrol")
    actions.do_remove_totp(request.user, acting_user=request.user)
    messages.success(request, _("Two-factor login is off for your account."))
    return redirect("home")
