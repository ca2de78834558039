"""The task-queue half of the message channels (messages out: sending.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from pantau.channels import service


@db_task()
def handle_inbound(inbound_id: int) -> None:
    service.handle(inbound_id)


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_inbound() -> int:
    """Every night: the messages received past their retention (PANTAU_CHANNEL_INBOUND_DAYS)."""
    return service.purge_inbound()
