"""The dashboard endpoints of the API (filled by the dashboard app)."""

from ninja import Router

router = Router(tags=["dashboard"])
