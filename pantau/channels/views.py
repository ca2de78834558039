"""The providers' webhooks: /channels/whatsapp/, /channels/telegram/, /channels/sms/.

Each checks the provider's signature (or secret) on the raw body before reading it, stores each
message once and answers 200 at once; the answer to the sender goes out from the task queue.
"""

import hmac
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from pantau.channels import service
from pantau.channels.providers.registry import adapter, enabled

logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024  # a webhook call carries text and media ids, never the media


def _receive(request, channel: str):
    if not enabled(channel):
        raise Http404
    if len(request.body) > MAX_BODY:
        return JsonResponse({"detail": _("Too large."), "code": "too_large"}, status=413)
    provider = adapter(channel)
    if not provider.verify(request):
        return JsonResponse(
            {"detail": _("The signature is not valid."), "code": "bad_signature"}, status=403
        )
    try:
        messages = provider.parse(request.body)
    except ValueError:
        return JsonResponse(
            {"detail": _("This is not a message of the provider."), "code": "invalid"}, status=400
        )
    outcomes = [service.intake(message) for message in messages]
    logger.info("%s webhook: %s", channel, outcomes)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request):
    if request.method == "GET":  # Meta's subscription check
        if not enabled("whatsapp"):
            raise Http404
        token = request.GET.get("hub.verify_token", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and settings.WHATSAPP_VERIFY_TOKEN
            and hmac.compare_digest(token.encode(), settings.WHATSAPP_VERIFY_TOKEN.encode())
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponse(
            _("The verify token is not right."), status=403, content_type="text/plain"
        )
    return _receive(request, "whatsapp")


@csrf_exempt
@require_http_methods(["POST"])
def telegram(request):
    return _receive(request, "telegram")


@csrf_exempt
@require_http_methods(["POST"])
def sms(request):
    return _receive(request, "sms")
