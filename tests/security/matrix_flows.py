"""Access expectations: business flows (BPMN diagrams, versions, step links and comments; pages and API)."""

from __future__ import annotations

from .matrix import Expect

EXPECTATIONS: dict[str, Expect] = {}
