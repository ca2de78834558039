from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from pantau.periodic import actions, schedule


@db_task(retries=1, retry_delay=60)
def generate_report(report_id: int, revision: int) -> bool:
    """Render the three files of a periodic report."""
    return actions.generate(report_id, revision)


@db_periodic_task(crontab(minute="*"))
def generate_scheduled_reports() -> int:
    """Every minute: request the reports that the instruction's schedules make due."""
    return len(schedule.request_due_reports())
