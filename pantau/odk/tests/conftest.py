"""Fixtures of the ODK tests (the data fixtures are in pantau/conftest.py)."""

import uuid

import pytest

from pantau.odk.tests.helpers import OdkCollect


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Uploads in a temporary directory, and a cache of this test's own (remembered passwords
    and failure counts must not leak from one test into the next)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"odk-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def collect(client, users):
    """ODK Collect on a phone, logged in as a demo account."""

    def _collect(username="desa-3513012001", password="pantau-demo"):
        return OdkCollect(client, username, password)

    return _collect
