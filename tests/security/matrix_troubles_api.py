"""Access expectations: API routes added for completeness (issue 8): troubles."""

from __future__ import annotations

from .matrix import Expect

EXPECTATIONS: dict[str, Expect] = {}
