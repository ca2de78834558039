"""One error shape everywhere, and never a 500 for bad input: malformed, non-UTF-8 or oversized
bodies, NaN and huge numbers, NUL characters, wrong types and content types, bad path
parameters, unknown paths and methods."""

import json
import uuid

import pytest
from django.utils import translation

from pantau.api.tests.conftest import API, error_shape
from pantau.conftest import NGADISARI
from pantau.monitoring.models import Report

pytestmark = pytest.mark.django_db


def valid_report(**changes) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "observed_at": "2024-11-20T10:00:00+07:00",
        "status": "aman",
        **changes,
    }


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00\x00garbage",  # not UTF-8 (nor UTF-16/32)
        b'{"region": "\xc3\x28"}',  # an invalid UTF-8 sequence inside valid JSON
        b'{"client_id": NaN}',
        b'{"lat": Infinity, "lon": -Infinity}',
        b'{"tps": 1' + b"0" * 5000 + b"}",  # more digits than Python reads
        b"[" * 50_000 + b"]" * 50_000,  # nested too deep
        b"client_id=1&region=2",  # a form, not JSON
    ],
)
def test_an_unreadable_body_is_400(api_as, body):
    response = api_as("desa-3513012001").post("/reports", body)
    assert error_shape(response, 400, "invalid")["fields"] == {
        "body": response.json()["fields"]["body"]
    }


@pytest.mark.parametrize("body", [b"", b"[1, 2]", b'"a string"', b"null", b"42"])
def test_a_body_that_is_not_an_object_is_400(api_as, body):
    response = api_as("desa-3513012001").post("/reports", body)
    fields = set(error_shape(response, 400, "invalid")["fields"])
    assert fields and fields <= {"body", "client_id", "region", "observed_at", "status"}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"lat": 10**40, "lon": 112.0}, "lat"),
        ({"answers": {"tps_buka_tepat": 10**40}}, "answers.tps_buka_tepat"),
        ({"answers": {"tps_buka_tepat": 1e308}}, "answers.tps_buka_tepat"),
        ({"tps": 10**30}, "tps"),
        ({"narrative": "nul \x00 in the middle"}, "narrative"),
        ({"region": "35.13\x00"}, "region"),
        ({"answers": {"a\x00": "ya"}}, "answers.a\x00"),
        ({"answers": {"tps_buka_tepat": "nul\x00"}}, "answers.tps_buka_tepat"),
        ({"observed_at": "0001-01-01T00:00:00+14:00"}, "observed_at"),
        ({"observed_at": "9999-12-31T23:59:59-12:00"}, "observed_at"),
        ({"status": ["aman"]}, "status"),
        ({"answers": ["ya"]}, "answers"),
        ({"answers": {"nested": {"deep": True}}}, "answers.nested"),
    ],
)
def test_values_no_storage_can_hold_are_400(api_as, changes, field):
    response = api_as("desa-3513012001").post("/reports", valid_report(**changes))
    assert field in error_shape(response, 400, "invalid")["fields"], response.json()
    assert not Report.objects.filter(channel="api").exists()


def test_a_number_too_large_for_a_float_is_400(api_as):
    raw = json.dumps(valid_report())[:-1] + ', "lat": 1e400, "lon": 112.0}'  # read as infinity
    response = api_as("desa-3513012001").post("/reports", raw.encode())
    assert set(error_shape(response, 400, "invalid")["fields"]) == {"lat"}


@pytest.mark.parametrize(
    "extra,field",
    [('"narrative": "\\ud800"', "narrative"), ('"answers": {"\\udfff": "ya"}', "answers.")],
)
def test_a_lone_surrogate_is_400(api_as, extra, field):
    raw = json.dumps(valid_report())[:-1] + f", {extra}}}"
    response = api_as("desa-3513012001").post("/reports", raw.encode())
    fields = error_shape(response, 400, "invalid")["fields"]
    assert [name for name in fields if name.startswith(field)], fields


def test_the_content_type_does_not_matter_for_json(api_as):
    body = json.dumps(valid_report())
    response = api_as("desa-3513012001").post("/reports", body, content_type="text/plain")
    assert response.status_code == 201


def test_multipart_to_a_json_endpoint_is_400(api_as):
    caller = api_as("desa-3513012001")
    response = caller.client.post(
        f"{API}/reports", {"client_id": str(uuid.uuid4())}, headers=caller.headers
    )
    error_shape(response, 400, "invalid")


def test_a_body_over_the_limit_is_413(api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api_as("desa-3513012001").post("/reports", valid_report(narrative="x" * 2000))
    error_shape(response, 413, "too_large")


@pytest.mark.parametrize(
    "path,field",
    [
        ("/reports/abc", "id"),
        ("/reports/1.5", "id"),
        ("/reports/0", "id"),
        ("/reports/-4", "id"),
        ("/reports/99999999999999999999999999", "id"),
        ("/problems/abc", "id"),
        ("/problems/18446744073709551616", "id"),
        ("/regions/%00", "code"),
        ("/regions/" + "9" * 40, "code"),
    ],
)
def test_a_bad_path_parameter_is_400(api_as, path, field):
    assert set(error_shape(api_as("admin").get(path), 400, "invalid")["fields"]) == {field}


def test_a_bad_path_parameter_on_a_post_is_400(api_as):
    caller = api_as("admin")
    response = caller.post("/problems/abc/actions", {"action": "verify"})
    assert set(error_shape(response, 400, "invalid")["fields"]) == {"id"}


@pytest.mark.parametrize(
    "query,field",
    [
        ({"page": "99999999999999999999"}, "page"),
        ({"page": "1e3"}, "page"),
        ({"since": "2024-13-45"}, "since"),
        ({"region": "\x00"}, "region"),
    ],
)
def test_a_bad_query_parameter_is_400(api_as, query, field):
    response = api_as("admin").get("/reports", query)
    assert set(error_shape(response, 400, "invalid")["fields"]) == {field}


@pytest.mark.parametrize("path", ["/tidak-ada", "/reports/1/tidak-ada", "/", "/v2/me"])
def test_an_unknown_path_is_404_in_the_shape(client, path):
    error_shape(client.get(f"{API}{path}"), 404, "not_found")


@pytest.mark.parametrize(
    "method,path,allowed",
    [
        ("put", "/reports", {"GET", "POST"}),
        ("delete", "/me", {"GET"}),
        ("patch", "/problems/1", {"GET"}),
        ("get", "/auth/token", {"POST", "DELETE"}),
    ],
)
def test_a_wrong_method_is_405_in_the_shape(api_as, method, path, allowed):
    caller = api_as("admin")
    response = getattr(caller.client, method)(f"{API}{path}", headers=caller.headers)
    error_shape(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == allowed


def test_an_action_error_keeps_its_code_and_fields(api_as):
    response = api_as("desa-3513012001").post(
        "/reports", valid_report(answers={"bukan_pertanyaan": "ya"})
    )
    body = error_shape(response, 400, "invalid")
    assert set(body["fields"]) == {"answers.bukan_pertanyaan"}


def test_messages_are_in_the_interface_language(api_as):
    response = api_as("camat-tongas").get(f"/regions/{NGADISARI}")
    assert response["Content-Language"] == "id"
    with translation.override("id"):
        expected = translation.gettext("Region not found, or outside your territory.")
    assert response.json()["detail"] == expected
