from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from pantau.problems.actions import do_mark_overdue, overdue_candidates


@db_periodic_task(crontab(minute="*"))
def escalate_overdue_problems() -> int:
    """Every minute: mark overdue and escalate the problems past a deadline (once each)."""
    return sum(do_mark_overdue(pk) for pk in list(overdue_candidates()))
