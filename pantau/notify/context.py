"""STUB, to be replaced: template context for the notification badge."""


def unread(request):
    return {}
