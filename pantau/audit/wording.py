"""The audit log in words: who did what to which object, in the reader's language, instead of
the codes the log stores (`problem.create`, `observed_at`, `owner_id`).

The log's codes stay as they are (they are hashed); this is only how the page says them. The
audited models are found by name through the app registry (the apps that write the log import
this one, so it cannot import them)."""

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# What an action code says, as a verb phrase after the actor's name.
ACTIONS = {
    "problem.create": pgettext_lazy("audit", "reported"),
    "problem.verify": pgettext_lazy("audit", "verified"),
    "problem.start": pgettext_lazy("audit", "started handling"),
    "problem.escalate": pgettext_lazy("audit", "escalated"),
    "problem.refer": pgettext_lazy("audit", "referred to an agency"),
    "problem.answer": pgettext_lazy("audit", "answered the referral of"),
    "problem.resolve": pgettext_lazy("audit", "solved"),
    "problem.reject": pgettext_lazy("audit", "rejected"),
    "problem.duplicate": pgettext_lazy("audit", "marked as a duplicate"),
    "problem.reopen": pgettext_lazy("audit", "reopened"),
    "problem.comment": pgettext_lazy("audit", "commented on"),
    "problem.attach": pgettext_lazy("audit", "attached a file to"),
    "problem.overdue": pgettext_lazy("audit", "recorded the deadline passed for"),
    "problem.take_over": pgettext_lazy("audit", "took over"),
    "problem.withdraw": pgettext_lazy("audit", "withdrew the referral of"),
    "problem.change": pgettext_lazy("audit", "changed"),
    "report.create": pgettext_lazy("audit", "sent"),
    "report.answers": pgettext_lazy("audit", "changed the answers of"),
    "report.photo": pgettext_lazy("audit", "added a photo to"),
    "periodic.request": pgettext_lazy("audit", "requested"),
    "periodic.submit": pgettext_lazy("audit", "submitted"),
    "periodic.receive": pgettext_lazy("audit", "received"),
    "periodic.retry": pgettext_lazy("audit", "asked again for"),
    "periodic.recommendations": pgettext_lazy("audit", "wrote the recommendations of"),
    "instruction.apply": pgettext_lazy("audit", "applied the instruction file"),
    "user.2fa.enrol": pgettext_lazy("audit", "turned on two-step login"),
    "user.2fa.remove": pgettext_lazy("audit", "turned off two-step login of"),
    "user.phone": pgettext_lazy("audit", "changed the phone number of"),
    "user.channel.unlink": pgettext_lazy("audit", "unlinked a messaging account of"),
    "api.token.create": pgettext_lazy("audit", "created an API token"),
    "api.token.revoke": pgettext_lazy("audit", "revoked an API token"),
    "audit.head_rebuilt": pgettext_lazy("audit", "rebuilt the head of the audit chain"),
}
# What the verb of an admin change says, for any model (`<model>.<verb>`).
VERBS = {
    "create": pgettext_lazy("audit", "created"),
    "change": pgettext_lazy("audit", "changed"),
    "delete": pgettext_lazy("audit", "deleted"),
}
# The pages of the objects the desk opens; the page itself decides who may see it.
PAGES = {"problem": "problem", "report": "report", "periodicreport": "periodic-report"}
NOUNS = {
    "problem": _("problem"),
    "report": _("report"),
    "periodicreport": _("periodic report"),
    "user": _("user"),
}


# Field names whose model label reads wrongly out of its form (Problem.title is "judul", not the
# "nama jabatan" of a position; a problem's level is the level of its region).
FIELDS = {
    "title": pgettext_lazy("audit field", "title"),
    "level": pgettext_lazy("audit field", "region level"),
    "owner_id": pgettext_lazy("audit field", "owner (account number)"),
}


@dataclass
class Said:
    actor: str
    what: str
    object: str
    url: str
    code: str  # the stored action code, for the filter and the curious


def _model(object_type: str):
    for model in apps.get_models():
        if model._meta.model_name == object_type:
            return model
    return None


def _noun(object_type: str) -> str:
    if object_type in NOUNS:
        return str(NOUNS[object_type])
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type


def field_label(object_type: str, key: str) -> str:
    """The words of a stored field name (`observed_at` → "waktu pengamatan"); the name with
    spaces when the model does not know it."""
    if key in FIELDS:
        return str(FIELDS[key])
    model = _model(object_type)
    if model is not None:
        for name in (key, key.removesuffix("_id")):
            try:
                return str(model._meta.get_field(name).verbose_name)
            except Exception:  # noqa: BLE001 (FieldDoesNotExist, or not a model field)
                continue
    return key.removesuffix("_id").replace("_", " ").replace(".", " ")


def action_words(code: str) -> str:
    if code in ACTIONS:
        return str(ACTIONS[code])
    noun, _dot, verb = code.rpartition(".")
    if verb in VERBS and noun:
        return f"{VERBS[verb]} {_noun(noun.split('.')[-1])}"
    return code


def say(entries, names: dict[str, str], titles: dict[tuple[str, str], str]) -> list[tuple]:
    """(entry, Said) for each entry: `names` gives the actors' full names by username,
    `titles` the objects' titles by (object_type, object_id)."""
    said = []
    for e in entries:
        actor = names.get(e.actor_username) or e.actor_username or str(_("The system"))
        thing = ""
        if e.object_type:
            thing = (
                f"{_noun(e.object_type)} #{e.object_id}" if e.object_id else _noun(e.object_type)
            )
            title = titles.get((e.object_type, e.object_id))
            if title:
                thing = f"{thing} «{title}»"
        url = ""
        if e.object_type in PAGES and e.object_id.isdigit():
            try:
                url = reverse(PAGES[e.object_type], args=[int(e.object_id)])
            except NoReverseMatch:
                url = ""
        said.append((e, Said(actor, action_words(e.action), thing, url, e.action)))
    return said


def lookups(entries) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The actors' full names and the problems' and reports' titles of a page of entries
    (a query per kind of object, whatever the number of entries)."""
    entries = list(entries)
    User = apps.get_model("accounts", "User")
    usernames = {e.actor_username for e in entries if e.actor_username}
    names = {
        username: full or username
        for username, full in User.objects.filter(username__in=usernames).values_list(
            "username", "full_name"
        )
    }
    titles: dict[tuple[str, str], str] = {}
    ids: dict[str, set[int]] = {}
    for e in entries:
        if e.object_type in ("problem", "report") and e.object_id.isdigit():
            ids.setdefault(e.object_type, set()).add(int(e.object_id))
    if ids.get("problem"):
        Problem = apps.get_model("problems", "Problem")
        for pk, title in Problem.objects.filter(pk__in=ids["problem"]).values_list("pk", "title"):
            titles[("problem", str(pk))] = title
    if ids.get("report"):
        Report = apps.get_model("monitoring", "Report")
        for pk, name in Report.objects.filter(pk__in=ids["report"]).values_list(
            "pk", "region__name"
        ):
            titles[("report", str(pk))] = name
    return names, titles
