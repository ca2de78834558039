"""A foreign region answers like a missing one, whatever else is wrong with the request; only the
signing official generates a failed report again."""

import pytest

from pantau.api.tests.conftest import error_shape
from pantau.lib.errors import Forbidden
from pantau.periodic.actions import do_retry_report
from pantau.periodic.models import PeriodicReport, ReportStatus
from pantau.periodic.tests.conftest import PAITON, TONGAS

pytestmark = pytest.mark.django_db


def test_outside_and_missing_answer_alike_even_with_the_wrong_scope(api_as, today):
    api = api_as("camat-tongas")
    day = str(today)
    answers = [
        api.post(
            "/periodic-reports",
            {"scope": scope, "region": region, "period_start": day, "period_end": day},
        )
        for scope in ("kabupaten", "kecamatan")
        for region in (PAITON, "35.99.99")
    ]
    bodies = [error_shape(answer, 404, "not_found") for answer in answers]
    assert all(body == bodies[0] for body in bodies)


def test_only_the_signing_official_retries_a_failed_report(users, today, login):
    from pantau.periodic.actions import do_request_report
    from pantau.regions.models import Region

    report = do_request_report(
        acting_user=users["camat-tongas"],
        scope="kecamatan",
        region=Region.objects.get(code=TONGAS),
        start=today,
        end=today,
    )
    PeriodicReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED)
    with pytest.raises(Forbidden):
        do_retry_report(report, acting_user=users["bupati"])
    client = login("bupati")
    response = client.post(f"/laporan-berkala/{report.pk}/aksi/", {"action": "retry"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert do_retry_report(report, acting_user=users["camat-tongas"]).status == (
        ReportStatus.GENERATING
    )
