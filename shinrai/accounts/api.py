"""API: Account plans, key people and relationship signals."""

from ninja import Router

router = Router(tags=["api"])
