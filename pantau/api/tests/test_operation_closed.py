"""A closed operation: the API refuses new writes with 409 and the one error shape, and still
reads what it holds."""

import io
import uuid

import pytest
from django.core.management import call_command

from pantau.api.tests.conftest import error_shape
from pantau.conftest import NGADISARI, VOTING_ANSWERS

pytestmark = pytest.mark.django_db

PILKADA = "pilkada-2024-probolinggo"


def run(*args) -> None:
    call_command("operation", *args, stdout=io.StringIO())


def test_the_api_refuses_with_409_and_still_reads(api_as, new_report):
    report = new_report()
    run("close", PILKADA)
    client = api_as("desa-3513012001")
    body = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "observed_at": "2024-11-27T09:30:00",
        "status": "aman",
        "answers": VOTING_ANSWERS,
    }
    refused = error_shape(client.post("/reports", body), 409, "operation_closed")
    assert "ditutup" in refused["detail"] and "operation" in refused["fields"]
    assert client.get(f"/reports/{report.pk}").status_code == 200
    assert report.pk in [r["id"] for r in client.get("/reports").json()["items"]]
