"""The task-queue half of the message channels (messages out: sending.py)."""

from huey.contrib.djhuey import db_task

from pantau.channels import service


@db_task()
def handle_inbound(inbound_id: int) -> None:
    service.handle(inbound_id)
