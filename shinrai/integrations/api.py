"""API: notifications, webhooks and their delivery log (same conventions as shinrai/ledger/api.py)."""

from ninja import Router

router = Router(tags=["integrations"])
