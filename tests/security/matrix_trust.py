"""Access expectations: The trust dashboard and its indicators (pages and API)."""

from __future__ import annotations

from .matrix import Expect

EXPECTATIONS: dict[str, Expect] = {}
