"""Fixtures of the web tests (the data fixtures are in pantau/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
