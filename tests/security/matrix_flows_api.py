"""Access expectations: the business flows API (/api/v1/…flows…)."""

from __future__ import annotations

from .matrix import Expect

EXPECTATIONS: dict[str, Expect] = {}
