"""Access expectations: API routes added for completeness (issue 8): progress, projects, business flows."""

from __future__ import annotations

from .matrix import Expect

EXPECTATIONS: dict[str, Expect] = {}
