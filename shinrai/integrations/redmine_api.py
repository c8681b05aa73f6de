"""API: redmine."""

from ninja import Router

router = Router(tags=["redmine"])
