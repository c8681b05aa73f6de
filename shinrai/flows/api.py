"""API: business flows — upload, versions, SVG, step links (same conventions as shinrai/ledger/api.py)."""

from ninja import Router

router = Router(tags=["flows"])
