"""Template context for the site's menu: which entries the user sees (each one opens for them;
a page the user cannot open gets no link)."""

from pantau.accounts import access


def menu(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    regions = access.has_regions(user)
    return {"menu": {"dashboard": regions, "compliance": regions}}
