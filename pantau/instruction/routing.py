"""The instruction file's `routing:` section: who is told when something happens to a problem,
and whose "waiting for you" list a new problem enters. Its shape is `schema.RoutingDoc`; this
module checks what the shape cannot say, stores it on the operation and reads it back.

Stored on `Operation.routing` as {event: [{"to": [...], "levels": [...], "severity": [...],
"waiting": bool}, ...]}. An operation loaded from a file without the section (or before the section
existed) follows DEFAULT_ROUTING, which is what the shipped file says. The problems app applies
the rules (pantau/problems/routing.py).
"""

from django.utils.translation import gettext as _

from pantau.instruction.schema import LIST_SEATS, ROUTING_EVENTS, RoutingDoc


def _rule(to, *, severity=(), levels=(), listed=False) -> dict:
    return {"to": list(to), "levels": list(levels), "severity": list(severity), "waiting": listed}


# The shipped rules (the same as the `routing:` section of instruksi-probolinggo-2024.yaml).
DEFAULT_ROUTING: dict[str, list[dict]] = {
    "create": [
        _rule(["owner", "camat"], listed=True),
        _rule(["coordinator"], severity=["tinggi", "kritis"], listed=True),
        _rule(["bupati"], severity=["kritis"], listed=True),
    ],
    "escalate": [_rule(["owner"])],
    "take_over": [_rule(["previous_owner"])],
    "refer": [_rule(["agency"])],
    "withdraw": [_rule(["agency"])],
    "answer": [_rule(["owner"])],
    "overdue": [_rule(["previous_owner", "owner"])],
    "resolve": [_rule(["reporter"])],
    "reject": [_rule(["reporter"])],
    "reopen": [_rule(["owner"])],
}


def check(doc: RoutingDoc | None, error) -> None:
    """What the schema cannot say; `error(path, message)` records a problem of the file."""
    if doc is None:
        return
    for event in ROUTING_EVENTS:
        for i, rule in enumerate(getattr(doc, event)):
            if rule.waiting and event != "create":
                error(
                    ("routing", event, i, "waiting"),
                    _("only a rule of create puts a problem in a list"),
                )
            if rule.waiting and not set(rule.to) & set(LIST_SEATS):
                error(
                    ("routing", event, i, "waiting"),
                    _("a list is kept by owner, camat, coordinator or bupati"),
                )


def as_data(doc: RoutingDoc | None) -> dict:
    """The section as stored; a file without it follows DEFAULT_ROUTING (stored as {})."""
    if doc is None:
        return {}
    return {event: [rule.model_dump() for rule in getattr(doc, event)] for event in ROUTING_EVENTS}


def sync(applying) -> None:
    """The loader's step: store the file's routing on the operation."""
    routing = as_data(applying.doc.routing)
    operation = applying.operation
    if operation.routing != routing:
        operation.routing = routing
        operation.save(update_fields=["routing"])
        applying.counts["routing"] = 1


def rules(operation, event: str) -> list[dict]:
    """The rules of `event` for `operation` (the stored ones, else the defaults)."""
    routing = operation.routing or DEFAULT_ROUTING
    return routing.get(event, [])
