"""The hostile suite's own part (with pantau/accounts/tests/test_login_brake.py, the proxy
lock-out; pantau/api/tests/test_photo_limits.py, the pixel bomb; pantau/odk/tests/
test_submission.py, the deep XML; pantau/api/tests/test_fuzz.py, schemathesis over the whole
document with its stateful phase): hostile JSON, XML and multipart against every write endpoint
of the API and the ODK submission. Whatever arrives, the answer is a 4xx in the one error shape
(OpenRosa's for ODK), never a 5xx."""

import base64
import json

import pytest
from django.test import Client

from pantau.api.actions import do_issue_token

pytestmark = [pytest.mark.django_db, pytest.mark.hostile]

DEEP_JSON = "[" * 5000 + "]" * 5000
HOSTILE_JSON = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"text"',
    b"\xff\xfe\x00garbage",
    DEEP_JSON.encode(),
    b'{"a": ' + b"9" * 5000 + b"}",
    json.dumps({"client_id": "x" * 100_000}).encode(),
    b'{"region": "\\ud800", "title": "\\u0000"}',
    b'{"lat": 1e999, "lon": NaN}',
]
HOSTILE_XML = [
    b"",
    b"not xml",
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
    b'<data id="pantau-kampanye">&b;</data>',
    b'<!DOCTYPE d SYSTEM "file:///etc/passwd"><data id="x"/>',
    b'<data id="pantau-kampanye">' + b"<a>" * 3000 + b"</a>" * 3000 + b"</data>",
    b'<data id="pantau-kampanye"><meta><instanceID>uuid:nope</instanceID></meta></data>',
    b"\xef\xbb\xbf<data id='\x00'/>",
]


def write_paths(client) -> list[tuple[str, str]]:
    """Every write operation of the API, with ids filled in (1: a report, problem or periodic
    report that may or may not be the caller's)."""
    document = client.get("/api/v1/openapi.json").json()
    found = []
    for path, operations in document["paths"].items():
        for method in operations:
            # (DELETE /auth/token reads no body: it revokes the token, tested in test_auth)
            if method in ("post", "put", "patch") or (method == "delete" and "token" not in path):
                found.append((method, path.replace("{id}", "1")))
    return sorted(found)


def bodiless_paths(client) -> set[tuple[str, str]]:
    """The write endpoints whose OpenAPI operation has no request body (an empty body or `null`
    is what they should get: those two are not hostile there)."""
    document = client.get("/api/v1/openapi.json").json()
    return {
        (method, path.replace("{id}", "1"))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" not in operation
    }


@pytest.fixture
def bearer(users):
    key, _token = do_issue_token(users["camat-sukapura"])
    return {"Authorization": f"Bearer {key}"}


def assert_4xx_error_shape(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}, body


def test_every_write_endpoint_is_covered(client):
    paths = write_paths(client)
    assert ("post", "/api/v1/reports") in paths and ("post", "/api/v1/problems") in paths
    assert len(paths) >= 8


@pytest.mark.parametrize("body", HOSTILE_JSON, ids=range(len(HOSTILE_JSON)))
def test_hostile_json_is_a_4xx_everywhere(client, bearer, body):
    bodiless = bodiless_paths(client)
    for method, path in write_paths(client):
        if body in (b"", b"null") and (method, path) in bodiless:
            continue
        send = getattr(client, method)
        assert_4xx_error_shape(send(path, body, content_type="application/json", headers=bearer))


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n"),
        ("multipart/form-data", b"--x\r\n"),  # no boundary
        ("multipart/form-data; boundary=x", b"--x\r\n" * 2000),
        ("application/xml", b"<a/>"),
        ("text/plain", b"a=b"),
    ],
    ids=["no-name", "no-boundary", "many-parts", "xml", "text"],
)
def test_hostile_multipart_and_types_are_a_4xx_everywhere(client, bearer, content_type, body):
    for method, path in write_paths(client):
        send = getattr(client, method)
        assert_4xx_error_shape(send(path, body, content_type=content_type, headers=bearer))


def test_a_photo_upload_of_hostile_parts_is_a_4xx(client, bearer, users):
    parts = [
        {"photo": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)},  # a truncated PNG
        {"photo": ("x.jpg", b"\xff\xd8\xff" + b"\xff" * 5000)},  # a JPEG of markers only
        {"other": ("x.png", b"x")},
    ]
    for files in parts:
        name, (filename, data) = next(iter(files.items()))
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            "/api/v1/reports/1/photos",
            {name: SimpleUploadedFile(filename, data)},
            headers=bearer,
        )
        assert_4xx_error_shape(response)


@pytest.mark.parametrize("xml", HOSTILE_XML, ids=range(len(HOSTILE_XML)))
def test_hostile_xml_to_the_odk_submission_is_a_4xx(users, xml):
    from django.core.files.uploadedfile import SimpleUploadedFile

    auth = base64.b64encode(b"desa-3513012001:pantau-demo").decode()
    response = Client().post(
        "/odk/submission",
        {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")},
        headers={"Authorization": f"Basic {auth}", "X-OpenRosa-Version": "1.0"},
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["X-OpenRosa-Version"] == "1.0"
    assert b"<OpenRosaResponse" in response.content
