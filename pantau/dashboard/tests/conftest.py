"""The dashboard tests call the API too: its client and token fixtures."""

from pantau.api.tests.conftest import _fresh_cache, api_as, key_for  # noqa: F401
