"""API: Survey results and trends."""

from ninja import Router

router = Router(tags=["results_api"])
