"""The adapter of each channel (see channels/base.py for what an adapter is)."""

from importlib import import_module

from django.conf import settings

SMS_GATEWAYS = {"android-sms-gateway": "pantau.channels.providers.android_sms_gateway"}


def adapter(channel: str):
    if channel == "whatsapp":
        return import_module("pantau.channels.providers.whatsapp")
    if channel == "telegram":
        return import_module("pantau.channels.providers.telegram")
    if channel == "sms":
        return import_module(SMS_GATEWAYS[settings.SMS_GATEWAY])
    raise LookupError(channel)


def enabled(channel: str) -> bool:
    """A channel is on when its webhook secret is configured."""
    return bool(
        {
            "whatsapp": settings.WHATSAPP_APP_SECRET,
            "telegram": settings.TELEGRAM_SECRET_TOKEN,
            "sms": settings.SMS_SIGNING_KEY,
        }.get(channel)
    )
