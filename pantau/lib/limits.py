"""How long a text may be, the same on every channel (web, API, ODK).

The actions check these (`check_lengths`), so that a channel without a schema of its own (ODK's
XML) gets the same 400 as the API, and nothing is ever cut silently; the API's schemas and the
web forms state the same numbers so that their documents and fields agree.
"""

from django.utils.translation import gettext as _

from pantau.lib.errors import Invalid

TITLE = 200  # a problem's title
LONG_TEXT = 10_000  # a narrative, a description, a suggestion, a note
ANSWER = 2000  # a checklist's text answer


def check_lengths(**texts: tuple[str | None, int]) -> None:
    """Invalid (400) naming every field longer than its limit: check_lengths(title=(t, TITLE))."""
    too_long = {
        name: _("at most %(n)d characters") % {"n": limit}
        for name, (value, limit) in texts.items()
        if value and len(value) > limit
    }
    if too_long:
        raise Invalid(_("A text is too long. Shorten it and send again."), fields=too_long)
