"""Writes of the compliance app: reminding those whose report is due soon.

For each active rule with `remind_minutes_before`, a slot (see selectors.py) is reminded when
deadline - remind_minutes_before <= now < deadline and the slot has no report yet (by the same
matching as the counts: a report received since the previous deadline of the day). Each slot is
reminded once (`Reminder` is unique per user, rule, region and deadline), through the
notification channels (in-app, e-mail, webhooks) with the event "reminder".
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from pantau.compliance.models import Reminder
from pantau.compliance.selectors import ON_TIME, slots
from pantau.instruction.models import Operation, ReportingRule
from pantau.lib.clock import WIB
from pantau.notify.service import notify
from pantau.regions.models import Region


def do_send_reminders(now: dt.datetime | None = None) -> int:
    """Send the reminders whose time has come; answer how many were sent."""
    now = now or timezone.now()
    operations = Operation.objects.filter(
        status=Operation.Status.ACTIVE,
        pk__in=ReportingRule.objects.filter(
            is_active=True, remind_minutes_before__isnull=False
        ).values("operation"),
    ).select_related("region")
    sent = 0
    today = now.astimezone(WIB).date()
    for operation in operations:
        due_soon = []
        for slot in slots(operation=operation, start=today, end=today, now=now):
            if slot.status == ON_TIME or not (now < slot.due_at):
                continue
            reminding = [r for r in slot.rules if r.remind_minutes_before]
            if not reminding:
                continue
            rule = max(reminding, key=lambda r: r.remind_minutes_before)
            if slot.due_at - dt.timedelta(minutes=rule.remind_minutes_before) <= now:
                due_soon.append((slot, rule))
        if due_soon:
            sent += _remind(due_soon, now)
    return sent


def _remind(due_soon: list, now: dt.datetime) -> int:
    already = set(
        Reminder.objects.filter(
            due_at__in={slot.due_at for slot, _rule in due_soon},
            user_id__in={slot.unit.user_id for slot, _rule in due_soon},
        ).values_list("user_id", "rule_id", "region__code", "due_at")
    )
    todo = [
        (slot, rule)
        for slot, rule in due_soon
        if (slot.unit.user_id, rule.pk, slot.unit.code, slot.due_at) not in already
    ]
    if not todo:
        return 0
    users = get_user_model().objects.in_bulk({slot.unit.user_id for slot, _rule in todo})
    regions = {
        r.code: r for r in Region.objects.filter(code__in={slot.unit.code for slot, _r in todo})
    }
    sent = 0
    for slot, rule in todo:
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    user_id=slot.unit.user_id,
                    rule=rule,
                    region=regions[slot.unit.code],
                    due_at=slot.due_at,
                    sent_at=now,
                )
                due = slot.due_at.astimezone(WIB).strftime("%H:%M")
                notify(
                    [users[slot.unit.user_id]],
                    event="reminder",
                    title=_("Report due at %(time)s WIB: %(region)s")
                    % {"time": due, "region": slot.unit.name},
                    body=_(
                        "%(rule)s. Send the report for %(region)s by %(time)s WIB "
                        "(%(grace)d minutes later still counts as on time)."
                    )
                    % {
                        "rule": rule.name,
                        "region": slot.unit.name,
                        "time": due,
                        "grace": int(slot.grace.total_seconds() // 60),
                    },
                    url="/laporan/baru/?" + urlencode({"region": slot.unit.code}),
                )
        except IntegrityError:  # another consumer sent it a moment ago
            continue
        sent += 1
    return sent
