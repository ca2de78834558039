"""The profile page (/akun/profil/): one's phone number and the message channels linked."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from pantau.accounts.actions import do_set_phone, do_set_rank_and_nip
from pantau.channels.links import telegram_code, unlink
from pantau.channels.models import Link
from pantau.lib.errors import Invalid


@never_cache
@login_required
def profile(request):
    user = request.user
    error = official_error = ""
    phone = user.phone
    rank, nip = user.rank, user.nip
    if request.method == "POST":
        if "unlink" in request.POST:
            unlink(user, request.POST["unlink"])
            messages.success(request, _("The channel was unlinked."))
            return redirect("profile")
        if "nip" in request.POST or "rank" in request.POST:
            rank, nip = request.POST.get("rank", ""), request.POST.get("nip", "")
            try:
                do_set_rank_and_nip(user, acting_user=user, rank=rank, nip=nip)
            except Invalid as exc:
                official_error = exc.message
            else:
                messages.success(request, _("Your rank and NIP were saved."))
                return redirect("profile")
        else:
            phone = request.POST.get("phone", "")
            try:
                do_set_phone(user, acting_user=user, phone=phone)
            except Invalid as exc:
                error = exc.message
            else:
                messages.success(request, _("Your phone number was saved."))
                return redirect("profile")
    code = telegram_code(user) if settings.TELEGRAM_SECRET_TOKEN else None
    return render(
        request,
        "accounts/profile.html",
        {
            "phone": phone,
            "error": error,
            "rank": rank,
            "nip": nip,
            "official_error": official_error,
            "links": Link.objects.filter(user=user).order_by("channel"),
            "telegram_code": code,
            "telegram_bot": settings.TELEGRAM_BOT_NAME,
        },
        status=400 if error or official_error else 200,
    )
