"""Scheduled generation per the instruction file (`instruction.PeriodicSchedule`), e.g. the
daily cluster report at 18:00 WIB.

Once the schedule's time of day has passed (WIB), its report for that day is requested, once:
the pair (schedule key, day) is unique in the database, so two consumers running the job at the
same minute cannot both create it. A cluster schedule makes one report per cluster, a kecamatan
schedule one per kecamatan of the operation. A schedule tied to a stage runs only on the days of
that stage (without a stage: on the dates of any stage). The report covers the day.
"""

import datetime as dt
import logging

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from pantau.lib.clock import WIB
from pantau.periodic.actions import do_request_report
from pantau.periodic.models import PeriodicReport, Scope
from pantau.regions.models import Level as RegionLevel

logger = logging.getLogger(__name__)


def schedule_model():
    try:
        return apps.get_model("instruction", "PeriodicSchedule")
    except LookupError:  # pragma: no cover - until the instruction app has schedules
        return None


def _time_of(value) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    try:
        hours, minutes = str(value).split(":")[:2]
        return dt.time(int(hours), int(minutes))
    except (TypeError, ValueError):
        return None


def _targets(item):
    """(key suffix, region, cluster) for each report one schedule makes."""
    operation = item.operation
    if item.scope == Scope.CLUSTER:
        for cluster in operation.clusters.order_by("order"):
            yield cluster.code, operation.region, cluster
    elif item.scope == Scope.KECAMATAN:
        for kecamatan in operation.region.children.filter(level=RegionLevel.KECAMATAN):
            yield kecamatan.code, kecamatan, None
    else:
        yield operation.region.code, operation.region, None


def request_due_reports(now: dt.datetime | None = None) -> list[PeriodicReport]:
    """Request every scheduled report due by `now` and not yet requested today."""
    model = schedule_model()
    if model is None:
        return []
    now = timezone.localtime(now or timezone.now(), WIB)
    today = now.date()
    created = []
    items = model.objects.filter(is_active=True, operation__status="active").select_related(
        "operation", "operation__region"
    )
    for item in items:
        at = _time_of(item.time)
        if at is None or now.time() < at:
            continue
        stages = (
            [item.stage] if item.stage_id else list(item.operation.stages.filter(is_active=True))
        )
        if not any(stage.starts_on <= today <= stage.ends_on for stage in stages):
            continue  # produced on the dates of its stage (of any stage when it names none)
        for suffix, region, cluster in _targets(item):
            key = f"{item.operation.code}:{item.code}:{suffix}"[:200]
            if PeriodicReport.objects.filter(schedule_key=key, schedule_day=today).exists():
                continue
            try:
                with transaction.atomic():
                    created.append(
                        do_request_report(
                            acting_user=None,
                            scope=item.scope,
                            region=region,
                            cluster=cluster,
                            start=today,
                            end=today,
                            schedule_key=key,
                            schedule_day=today,
                        )
                    )
            except IntegrityError:
                continue  # another consumer made it first
            except Exception:  # noqa: BLE001 - one bad schedule must not stop the others
                logger.exception("Scheduled report %s could not be requested", key)
    return created
