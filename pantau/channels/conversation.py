"""What a sender can say, and what Pantau answers: the same on WhatsApp, Telegram and SMS.

    LAPOR <aman|waspada|rawan> [TPS n] <uraian>     a field report, stored at once; then the
                                                    stage's required questions one by one
    MASALAH <rendah|sedang|tinggi|kritis> <judul> [SARAN <saran>]    a problem
    STATUS <nomor>                                  a problem's state and owner
    BANTUAN                                         the syntax
    BATAL                                           stop the conversation in progress

Anything else starts a guided conversation (report or problem, the region when the sender
holds several, the situation or the severity, then the questions). Commands and the words
for situations and severities are recognised case-insensitively with small typos ("lapr",
"rawn"); free text (a description, an answer) is taken as written.

Everything is stored by the actions of the web, the API and ODK (monitoring.actions,
problems.actions): territory, checklists, audit and idempotency are theirs. The id of the
message that creates a report or a problem is its client_id, so a message delivered twice is
one record.
"""

import difflib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.channels.base import Reply, SendError
from pantau.channels.models import Conversation, Inbound
from pantau.channels.providers.registry import adapter
from pantau.instruction.models import Category
from pantau.lib.errors import PantauError
from pantau.monitoring.actions import do_add_photo, do_answer_checklist, do_submit_report
from pantau.monitoring.checklists import missing_required
from pantau.monitoring.models import Report, Situation
from pantau.monitoring.selectors import report_regions
from pantau.problems.actions import do_add_attachment, do_create_problem
from pantau.problems.models import Problem, Severity

COMMANDS = ["lapor", "masalah", "status", "bantuan", "batal"]
NAMESPACE = uuid.UUID("6f1d0c52-43f4-4d8e-9d3c-0b9a7a1c5e17")
YES_NO = [("ya", "Ya"), ("tidak", "Tidak")]


def client_id(inbound: Inbound) -> uuid.UUID:
    """The client_id of what this message creates: the same message, the same record."""
    return uuid.uuid5(NAMESPACE, f"{inbound.channel}:{inbound.external_id}")


def word(text: str, options: list[str], cutoff: float = 0.75) -> str | None:
    """`text` as one of `options` (lower case), allowing a small typo."""
    text = (text or "").strip().lower()
    if text in options:
        return text
    close = difflib.get_close_matches(text, options, n=1, cutoff=cutoff)
    return close[0] if close else None


def help_text() -> str:
    return _(
        "How to report to Pantau:\n"
        "LAPOR <aman|waspada|rawan> [TPS n] <description>\n"
        "  e.g. LAPOR aman TPS 3 voting is orderly\n"
        "MASALAH <rendah|sedang|tinggi|kritis> <title> [SARAN <suggestion>]\n"
        "STATUS <problem number>\n"
        "BATAL stops a conversation. Or just write anything and answer the questions."
    )


@dataclass
class Turn:
    """One message's handling: the sender, the stored state, what to answer."""

    inbound: Inbound
    conversation: Conversation
    state: dict
    replies: list[Reply] = field(default_factory=list)
    created: object = None  # the report or problem this message created

    @property
    def user(self):
        return self.inbound.user

    def say(self, text: str, choices=()) -> None:
        self.replies.append(Reply(text=text, choices=list(choices)))


def respond(inbound: Inbound) -> list[Reply]:
    """Handle one message from a known sender; answer the replies to send."""
    conversation, _new = Conversation.objects.get_or_create(
        channel=inbound.channel, address=inbound.address, defaults={"user": inbound.user}
    )
    if conversation.user_id != inbound.user_id:
        conversation.user, conversation.state = inbound.user, {}
    state = dict(conversation.state)
    timeout = timezone.timedelta(minutes=settings.CHANNEL_TIMEOUT_MINUTES)
    expired = bool(state) and timezone.now() - conversation.updated_at > timeout
    turn = Turn(inbound=inbound, conversation=conversation, state={} if expired else state)
    if expired and state.get("step"):
        turn.say(_("The previous conversation had timed out and was closed."))
    try:
        _dispatch(turn)
    except PantauError as exc:  # the action's own message, in the user's language
        turn.say(_error_text(exc))
    if inbound.media:
        _photos(turn)
    conversation.state = turn.state
    conversation.updated_at = timezone.now()
    conversation.save()
    return turn.replies


def _dispatch(turn: Turn) -> None:
    text = turn.inbound.text.strip()
    words = text.split()
    command = word(words[0], COMMANDS) if words else None
    if command == "batal":
        turn.state = {}
        turn.say(_("Cancelled. Write BANTUAN to see what you can send."))
        return
    if command in ("lapor", "masalah", "status", "bantuan"):
        turn.state = {k: v for k, v in turn.state.items() if k == "last"}
        {"lapor": _lapor, "masalah": _masalah, "status": _status, "bantuan": _bantuan}[command](
            turn, words[1:]
        )
        return
    step = turn.state.get("step")
    if step:
        STEPS[step](turn, text)
        return
    if not text and turn.inbound.media:
        return  # a photo alone: _photos attaches it to the last report or says how
    _ask_kind(turn)


# Commands


def _bantuan(turn: Turn, args: list[str]) -> None:
    turn.say(help_text())


def _lapor(turn: Turn, args: list[str]) -> None:
    situation = word(args[0], Situation.values) if args else None
    if situation is None:
        turn.say(
            _("Write the situation after LAPOR: aman, waspada or rawan.") + "\n\n" + help_text()
        )
        return
    rest = args[1:]
    tps = ""
    if len(rest) >= 2 and word(rest[0], ["tps"], 0.66) and rest[1].isdigit():
        tps, rest = rest[1], rest[2:]
    pending = {"kind": "report", "situation": situation, "tps": tps, "narrative": " ".join(rest)}
    _with_region(turn, pending)


def _masalah(turn: Turn, args: list[str]) -> None:
    severity = word(args[0], Severity.values) if args else None
    title_words = args[1:]
    if severity is None or not title_words:
        turn.say(
            _("Write the severity and a title after MASALAH: rendah, sedang, tinggi or kritis.")
            + "\n\n"
            + help_text()
        )
        return
    suggestion = ""
    for i, w in enumerate(title_words):
        if w.lower() == "saran":
            title_words, suggestion = title_words[:i], " ".join(title_words[i + 1 :])
            break
    pending = {
        "kind": "problem",
        "severity": severity,
        "title": " ".join(title_words),
        "suggestion": suggestion,
    }
    _with_region(turn, pending)


def _status(turn: Turn, args: list[str]) -> None:
    number = args[0].lstrip("#") if args else ""
    if not number.isdigit():
        turn.say(_("Write the problem's number after STATUS, e.g. STATUS 12."))
        return
    try:
        problem = access.get_problem(turn.user, int(number))
    except PantauError:
        turn.say(_("Problem #%(number)s was not found in your territory.") % {"number": number})
        return
    owner = problem.owner.get_full_name() if problem.owner_id else _("nobody yet")
    turn.say(
        _("Problem #%(number)d: %(title)s\nStatus: %(status)s\nHandled by: %(owner)s")
        % {
            "number": problem.pk,
            "title": problem.title,
            "status": problem.get_status_display(),
            "owner": owner,
        }
    )


# The guided conversation


def _ask_kind(turn: Turn) -> None:
    turn.state = {**_last(turn), "step": "kind"}
    turn.say(
        _("Hello %(name)s. What do you want to send? (BATAL to stop)")
        % {"name": turn.user.get_full_name()},
        [("1", _("Report")), ("2", _("Problem"))],
    )


def _step_kind(turn: Turn, text: str) -> None:
    choice = _pick(text, [("1", "laporan"), ("2", "masalah")])
    if choice == "1":
        _with_region(turn, {"kind": "report"})
    elif choice == "2":
        _with_region(turn, {"kind": "problem"})
    else:
        _ask_kind(turn)


def _with_region(turn: Turn, pending: dict) -> None:
    """Go on with `pending` in the sender's region, asking which one when they hold several."""
    options = _regions(turn.user)
    if not options:
        turn.state = _last(turn)
        turn.say(
            _("Your account has no village or kecamatan to report on by message. Use the web.")
        )
        return
    if len(options) == 1:
        _go(turn, {**pending, "region": options[0].code})
        return
    turn.state = {
        **_last(turn),
        "step": "region",
        "pending": pending,
        "options": [r.code for r in options],
    }
    turn.say(_("Which region?"), [(str(i), r.name) for i, r in enumerate(options, start=1)])


def _step_region(turn: Turn, text: str) -> None:
    options = turn.state["options"]
    names = dict(report_regions(turn.user).filter(code__in=options).values_list("code", "name"))
    choice = _pick(text, [(str(i), names.get(c, c).lower()) for i, c in enumerate(options, 1)])
    if choice is None:
        turn.say(
            _("Answer with the region's number."),
            [(str(i), names.get(c, c)) for i, c in enumerate(options, start=1)],
        )
        return
    _go(turn, {**turn.state["pending"], "region": options[int(choice) - 1]})


def _go(turn: Turn, pending: dict) -> None:
    """Ask what is still missing of `pending`, or store it."""
    if pending["kind"] == "report":
        if not pending.get("situation"):
            turn.state = {**_last(turn), "step": "situation", "pending": pending}
            turn.say(
                _("How is the situation?"),
                [(s, s.capitalize()) for s in Situation.values],
            )
            return
        if "narrative" not in pending:
            turn.state = {**_last(turn), "step": "narrative", "pending": pending}
            turn.say(_("Describe briefly what you see (or write - for nothing)."))
            return
        _store_report(turn, pending)
    else:
        if not pending.get("severity"):
            turn.state = {**_last(turn), "step": "severity", "pending": pending}
            turn.say(
                _("How severe is the problem?"),
                [(s, s.capitalize()) for s in Severity.values],
            )
            return
        if not pending.get("title"):
            turn.state = {**_last(turn), "step": "title", "pending": pending}
            turn.say(_("Give the problem a short title."))
            return
        _store_problem(turn, pending)


def _step_value(key: str, options: list[str] | None = None):
    def step(turn: Turn, text: str) -> None:
        pending = dict(turn.state["pending"])
        if options is not None:
            value = _pick(text, [(o, o) for o in options])
            if value is None:
                indexed = _pick(text, [(str(i), o) for i, o in enumerate(options, 1)])
                value = options[int(indexed) - 1] if indexed else None
            if value is None:
                turn.say(_("Choose one of: %(choices)s") % {"choices": ", ".join(options)})
                return
        else:
            value = "" if text.strip() == "-" else text.strip()
            if key == "title" and not value:
                turn.say(_("Give the problem a short title."))
                return
        pending[key] = value
        _go(turn, pending)

    return step


def _store_report(turn: Turn, pending: dict) -> None:
    region = report_regions(turn.user).get(code=pending["region"])
    report, created = do_submit_report(
        acting_user=turn.user,
        client_id=client_id(turn.inbound),
        region=region,
        observed_at=turn.inbound.sent_at,
        situation=pending["situation"],
        channel=turn.inbound.channel,
        tps=pending.get("tps", ""),
        narrative=pending.get("narrative", ""),
        answers={},
        partial_answers=True,
    )
    turn.created = report
    turn.state = {"last": {"report": report.pk}}
    turn.say(
        _("Report #%(number)d received (%(situation)s, %(region)s).")
        % {"number": report.pk, "situation": report.situation, "region": report.region.name}
    )
    _next_question(turn, report, first=True)


def _store_problem(turn: Turn, pending: dict) -> None:
    region = report_regions(turn.user).get(code=pending["region"])
    category = (
        Category.objects.filter(is_active=True, code="lainnya").first()
        or Category.objects.filter(is_active=True).last()
    )
    problem, created = do_create_problem(
        acting_user=turn.user,
        client_id=client_id(turn.inbound),
        region=region,
        title=pending["title"],
        category=category,
        severity=pending["severity"],
        suggestion=pending.get("suggestion", ""),
    )
    turn.created = problem
    turn.state = {"last": {"problem": problem.pk}}
    turn.say(
        _(
            "Problem #%(number)d received (%(severity)s): %(title)s. "
            "Send STATUS %(number)d to follow it."
        )
        % {"number": problem.pk, "severity": problem.severity, "title": problem.title}
    )


def _questions(report: Report) -> list[dict]:
    return report.checklist.questions if report.checklist_id else []


def _next_question(turn: Turn, report: Report, first: bool = False) -> None:
    missing = missing_required(_questions(report), report.answers)
    if not missing:
        if not first:
            turn.say(_("Report #%(number)d is complete. Thank you.") % {"number": report.pk})
        turn.state = {"last": {"report": report.pk}}
        return
    question = missing[0]
    if first:
        turn.say(
            _("The checklist is not complete yet: %(count)d question(s). Answer them one by one.")
            % {"count": len(missing)}
        )
    turn.state = {
        "last": {"report": report.pk},
        "step": "question",
        "report": report.pk,
        "code": question["code"],
    }
    turn.say(question["text"], _question_choices(question))


def _question_choices(question: dict) -> list[tuple[str, str]]:
    if question["type"] == "yes_no":
        return YES_NO
    if question["type"] == "choice":
        return [(str(i), c) for i, c in enumerate(question["choices"], start=1)]
    return []


def _step_question(turn: Turn, text: str) -> None:
    report = Report.objects.select_related("checklist").filter(pk=turn.state["report"]).first()
    if report is None:
        turn.state = {}
        return
    question = next((q for q in _questions(report) if q["code"] == turn.state["code"]), None)
    if question is None:
        _next_question(turn, report)
        return
    value: object = text.strip()
    if question["type"] == "yes_no":
        value = _pick(
            text,
            [
                ("ya", "ya"),
                ("tidak", "tidak"),
                ("ya", "y"),
                ("tidak", "t"),
                ("ya", "1"),
                ("tidak", "2"),
                ("ya", "yes"),
                ("tidak", "no"),
            ],
        )
    elif question["type"] == "choice":
        index = _pick(text, [(str(i), c.lower()) for i, c in enumerate(question["choices"], 1)])
        value = question["choices"][int(index) - 1] if index else None
    if value in (None, ""):
        turn.say(
            _("Please answer the question.") + "\n" + question["text"],
            _question_choices(question),
        )
        return
    try:
        report = do_answer_checklist(
            report, acting_user=turn.user, answers={question["code"]: value}
        )
    except PantauError as exc:
        turn.say(_error_text(exc), _question_choices(question))
        return
    _next_question(turn, report)


def _pick(text: str, options: list[tuple[str, str]]) -> str | None:
    """The value of the option `text` names: by its value ("1") or its label (with a typo)."""
    text = (text or "").strip().lower().rstrip(".")
    for value, label in options:
        if text == value.lower() or text == label.lower():
            return value
    labels = [label.lower() for _value, label in options]
    close = difflib.get_close_matches(text, labels, n=1, cutoff=0.75)
    if close:
        return options[labels.index(close[0])][0]
    return None


def _regions(user) -> list:
    """The regions a message from `user` is about: the roots of their territory that a report
    may be about (a village account's villages, a camat's kecamatan)."""
    terr = access.territory(user)
    if terr.everything:
        return []
    return list(report_regions(user).filter(code__in=sorted(terr.roots)))


def _last(turn: Turn) -> dict:
    return {"last": turn.state["last"]} if "last" in turn.state else {}


def _photos(turn: Turn) -> None:
    """Attach the images of the message to what it created, or to the sender's last report or
    problem of this conversation."""
    target = turn.created
    last = turn.state.get("last", {})
    if target is None and last.get("report"):
        target = Report.objects.filter(pk=last["report"], author=turn.user).first()
    if target is None and last.get("problem"):
        target = Problem.objects.filter(pk=last["problem"], reporter=turn.user).first()
    if target is None:
        turn.say(_("Send the photo with a report: LAPOR aman ... with the photo, or after it."))
        return
    stored = 0
    for item in turn.inbound.media:
        try:
            data, mime = adapter(turn.inbound.channel).fetch_media(item["ref"])
        except SendError:
            turn.say(_("The photo could not be fetched. Send it again."))
            continue
        upload = SimpleUploadedFile("photo", data, content_type=mime or "image/jpeg")
        try:
            if isinstance(target, Report):
                do_add_photo(target, acting_user=turn.user, upload=upload)
            else:
                do_add_attachment(target.pk, acting_user=turn.user, upload=upload)
        except PantauError as exc:
            turn.say(_error_text(exc))
            continue
        stored += 1
    if stored:
        kind = _("report") if isinstance(target, Report) else _("problem")
        turn.say(
            _("%(count)d photo(s) added to %(kind)s #%(number)d.")
            % {"count": stored, "kind": kind, "number": target.pk}
        )


def _error_text(exc: PantauError) -> str:
    """The action's message, with what it says about each field (a checklist answer)."""
    details = [str(v) for v in (exc.fields or {}).values() if isinstance(v, str)]
    return " ".join([str(exc.message), *details[:2]])


STEPS = {
    "kind": _step_kind,
    "region": _step_region,
    "situation": _step_value("situation", list(Situation.values)),
    "narrative": _step_value("narrative"),
    "severity": _step_value("severity", list(Severity.values)),
    "title": _step_value("title"),
    "question": _step_question,
}
