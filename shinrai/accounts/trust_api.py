"""API: Trust indicators."""

from ninja import Router

router = Router(tags=["trust_api"])
