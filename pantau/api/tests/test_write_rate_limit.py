"""API writes are limited per user (PANTAU_API_WRITE_RATE, default 600 a minute): past it, 429
`rate_limited` with Retry-After in the one error shape; reads and other users are not affected."""

import time

import pytest
import time_machine

from pantau.api.tests.conftest import error_shape
from pantau.api.tests.test_reports import report_body

pytestmark = pytest.mark.django_db


def test_the_default_allows_voting_day_bursts(settings):
    assert settings.API_WRITE_RATE == "600/m"


def test_writes_past_the_rate_answer_429_with_retry_after(api_as, settings):
    settings.API_WRITE_RATE = "3/m"
    desa = api_as("desa-3513012001")
    start = time.time()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert desa.post("/reports", report_body()).status_code in (200, 201)
        response = desa.post("/reports", report_body())
        body = error_shape(response, 429, "rate_limited")
        assert body["detail"]
        assert 1 <= int(response["Retry-After"]) <= 60
        assert desa.get("/reports").status_code == 200  # reads go on
        other = api_as("camat-sukapura")  # Ngadisari's camat
        assert other.post("/reports", report_body()).status_code in (200, 201)
    with time_machine.travel(start + 61, tick=False):  # the next minute
        assert desa.post("/reports", report_body()).status_code in (200, 201)


def test_an_empty_rate_switches_it_off(api_as, settings):
    settings.API_WRITE_RATE = ""
    desa = api_as("desa-3513012001")
    for _ in range(4):
        assert desa.post("/reports", report_body()).status_code in (200, 201)
