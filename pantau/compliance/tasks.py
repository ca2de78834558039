from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from pantau.compliance.actions import do_send_reminders


@db_periodic_task(crontab(minute="*"))
def remind_reporters() -> int:
    """Every minute: remind whoever has a report due soon and has not sent it (once per slot)."""
    return do_send_reminders()
