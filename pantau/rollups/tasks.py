from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from pantau.rollups.compute import refresh


@db_periodic_task(crontab(minute="*"))
def refresh_rollups() -> dict:
    """Every minute: bring the dashboard's rollups up to date (the reads add the rest)."""
    return refresh()
