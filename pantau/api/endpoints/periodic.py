"""The periodic endpoints of the API (filled by the periodic app)."""

from ninja import Router

router = Router(tags=["periodic"])
