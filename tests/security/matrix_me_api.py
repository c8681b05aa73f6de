"""Access expectations: API routes added for completeness (issue 8): a person's own settings (me)."""

from __future__ import annotations

from .matrix import Expect

EXPECTATIONS: dict[str, Expect] = {}
