"""API: Survey templates, rounds, invitations and token answers."""

from ninja import Router

router = Router(tags=["api"])
