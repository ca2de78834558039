from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from pantau.audit.sequencer import chain_queued


@db_periodic_task(crontab(minute="*"))
def chain_audit_queue():
    """The backstop: chain entries that no web worker chained (their process was killed before,
    or no web worker runs)."""
    chain_queued()
