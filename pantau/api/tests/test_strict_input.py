"""The API does what its OpenAPI document says and no more: numbers are JSON numbers, moments are
ISO 8601 texts of the years the document states, and a body field the document does not name
is refused (the document says additionalProperties: false)."""

import datetime as dt
import uuid

import pytest

from pantau.api.tests.conftest import error_shape
from pantau.conftest import NGADISARI, VOTING_ANSWERS
from pantau.monitoring.models import Report

pytestmark = [pytest.mark.django_db, pytest.mark.hostile]

BODIES = ["TokenIn", "ReportIn", "ProblemIn", "ActionIn", "PeriodicReportIn"]


def report(**changes) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "observed_at": "2024-11-27T09:30:00",
        "status": "aman",
        "answers": VOTING_ANSWERS,
        "lat": -7.92,
        "lon": 112.96,
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"lon": False}, "lon"),
        ({"lat": True}, "lat"),
        ({"lat": "-7.9"}, "lat"),
        ({"observed_at": 1732674600}, "observed_at"),
        ({"observed_at": "1732674600"}, "observed_at"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_what_the_document_does_not_allow_is_refused(api_as, changes, field):
    body = report(**changes)
    response = api_as("desa-3513012001").post("/reports", body)
    assert field in error_shape(response, 400, "invalid")["fields"]
    assert not Report.objects.filter(client_id=body["client_id"]).exists()


def test_whole_numbers_are_still_numbers(api_as):
    response = api_as("desa-3513012001").post("/reports", report(lat=-8, lon=113))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-3"])
def test_a_number_is_not_a_moment_in_a_query(api_as, value):
    response = api_as("desa-3513012001").get("/reports", {"until": value})
    assert set(error_shape(response, 400, "invalid")["fields"]) == {"until"}


def test_the_document_states_what_is_refused(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    for name in BODIES:
        assert components[name]["additionalProperties"] is False, name
    observed = components["ReportIn"]["properties"]["observed_at"]
    assert observed["format"] == "date-time" and observed["pattern"].startswith("^(19")
    until = next(
        p for p in schema["paths"]["/api/v1/reports"]["get"]["parameters"] if p["name"] == "until"
    )
    assert "pattern" in str(until["schema"])


def test_any_offset_iso_8601_allows_is_a_moment_not_a_500(api_as):
    """PostgreSQL takes no time zone offset beyond 15:59: -23:13 was a 500 there."""
    caller = api_as("desa-3513012001")
    assert caller.get("/reports", {"until": "2015-07-02T16:25:04-23:13"}).status_code == 200
    body = report(observed_at="2024-11-27T20:00:00+23:59")
    response = caller.post("/reports", body)
    assert response.status_code == 201, response.content
    observed = dt.datetime.fromisoformat(response.json()["observed_at"])
    assert observed == dt.datetime(2024, 11, 26, 20, 1, tzinfo=dt.UTC)
