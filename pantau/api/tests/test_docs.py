"""The OpenAPI document at /api/v1/openapi.json and the browsable docs at /api/v1/docs, whose
files come from the installed django-ninja package, never from a CDN."""

import re

import pytest

from pantau.api.tests.conftest import API

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/me": {"get"},
    "/api/v1/regions": {"get"},
    "/api/v1/regions/{code}": {"get"},
    "/api/v1/clusters": {"get"},
    "/api/v1/reports": {"get", "post"},
    "/api/v1/reports/{id}": {"get"},
    "/api/v1/reports/{id}/photos": {"post"},
    "/api/v1/problems": {"get", "post"},
    "/api/v1/problems/{id}": {"get"},
    "/api/v1/problems/{id}/actions": {"post"},
    "/api/v1/categories": {"get"},
    "/api/v1/agencies": {"get"},
    "/api/v1/stages": {"get"},
    "/api/v1/checklists": {"get"},
    "/api/v1/dashboard": {"get"},
    "/api/v1/map.geojson": {"get"},
    "/api/v1/compliance": {"get"},
    "/api/v1/periodic-reports": {"get", "post"},
    "/api/v1/periodic-reports/{id}": {"get"},
    "/api/v1/periodic-reports/{id}/submit": {"post"},
    "/api/v1/periodic-reports/{id}/receive": {"post"},
    "/api/v1/notifications": {"get"},
    "/api/v1/notifications/{id}/read": {"post"},
    "/api/v1/notifications/read-all": {"post"},
}


@pytest.fixture
def document(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_the_document_names_every_path_and_method(document):
    assert document["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in document["paths"].items()} == PATHS


def test_every_error_answer_has_the_one_shape(document):
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            for code, response in responses.items():
                if not code.startswith("2"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == error, (method, path, code)
            if operation.get("security"):
                assert "401" in responses, (method, path)
            if operation.get("requestBody") or operation.get("parameters"):
                assert "400" in responses, (method, path)
    shape = document["components"]["schemas"]["ErrorOut"]
    assert set(shape["properties"]) == {"detail", "code", "fields"}


def test_the_token_call_needs_no_token_and_the_others_do(document):
    assert "security" not in document["paths"]["/api/v1/auth/token"]["post"]
    assert document["paths"]["/api/v1/auth/token"]["delete"]["security"] == [{"BearerAuth": []}]
    assert document["paths"]["/api/v1/reports"]["post"]["security"] == [{"BearerAuth": []}]
    scheme = document["components"]["securitySchemes"]["BearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_the_contract_fields_are_documented(document):
    schemas = document["components"]["schemas"]
    assert {
        "client_id",
        "region",
        "observed_at",
        "status",
        "stage",
        "tps",
        "narrative",
        "answers",
        "lat",
        "lon",
        "checklist",
    } <= set(schemas["ReportIn"]["properties"])
    assert {"id", "received_at", "channel", "status"} <= set(schemas["ReportOut"]["properties"])
    assert {"id", "status", "level", "owner", "due_at", "overdue", "events", "referrals"} <= set(
        schemas["ProblemDetail"]["properties"]
    )
    actions = schemas["ActionIn"]["properties"]["action"]["enum"]
    assert set(actions) == {
        "verify",
        "start",
        "escalate",
        "take_over",
        "withdraw",
        "refer",
        "resolve",
        "reject",
        "duplicate",
        "reopen",
        "comment",
    }


def test_the_docs_page_loads_only_local_files(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert not [s for s in sources if re.match(r"^(https?:)?//", s)], sources
    assert "cdn" not in page.lower()
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        body = b"".join(asset.streaming_content)
        assert body, source
    kinds = {s.rsplit(".", 1)[-1] for s in sources}
    assert {"css", "js"} <= kinds
    assert '"url": "/api/v1/openapi.json"' in page


def test_only_the_swagger_files_are_served(client):
    assert client.get(f"{API}/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get(f"{API}/docs/assets/redoc.standalone.js").status_code == 404
    assert client.get(f"{API}/docs/assets/..%2F..%2F__init__.py").status_code == 404
