"""The compliance endpoints of the API (filled by the compliance app)."""

from ninja import Router

router = Router(tags=["compliance"])
