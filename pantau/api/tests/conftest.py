"""Fixtures of the API tests (the data fixtures are in pantau/conftest.py): a client calling the
API as a demo account, with a bearer token issued the way the API issues it."""

import json

import pytest
from django.core.cache import cache

from pantau.api.actions import do_issue_token

API = "/api/v1"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the shared cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


class ApiClient:
    """The Django test client with a bearer token, speaking JSON."""

    def __init__(self, client, key: str | None):
        self.client = client
        self.key = key

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, params: dict | None = None, **kw):
        return self.client.get(API + path, params or {}, headers=self.headers, **kw)

    def post(self, path: str, body=None, **kw):
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        kw.setdefault("content_type", "application/json")
        return self.client.post(API + path, data, headers=self.headers, **kw)

    def upload(self, path: str, files: dict):
        return self.client.post(API + path, files, headers=self.headers)

    def delete(self, path: str):
        return self.client.delete(API + path, headers=self.headers)


@pytest.fixture
def key_for(users):
    """A fresh token of a demo account."""

    def _key(username: str) -> str:
        key, _token = do_issue_token(users[username])
        return key

    return _key


@pytest.fixture
def api_as(client, key_for):
    """An API client calling as `username` (None: without a token)."""

    def _as(username: str | None) -> ApiClient:
        return ApiClient(client, key_for(username) if username else None)

    return _as


def error_shape(response, status: int, code: str | None = None) -> dict:
    """Assert the one error shape (and status, and code when given); return the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body
