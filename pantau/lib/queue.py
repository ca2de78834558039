"""Queueing a task after a write, without the write importing its task.

An action (`actions.py`) runs in a transaction and queues slow work for after the commit; the
task module (`tasks.py`) imports the action it runs. So that imports point one way, the action
names its task by dotted path and this module imports it only when the transaction commits.
"""

from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string


def enqueue_on_commit(task: str, *args: Any, robust: bool = False) -> None:
    """Queue `task` (a dotted path to a Huey task, e.g. "pantau.periodic.tasks.generate_report")
    with `args` once the current transaction commits; at once outside a transaction. `robust`:
    a failure to queue is logged, not raised (Django's `on_commit(robust=True)`)."""
    transaction.on_commit(lambda: import_string(task)(*args), robust=robust)
