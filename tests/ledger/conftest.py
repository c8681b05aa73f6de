"""Fixtures: the fixed clock and the English UI (tests/clock.py)."""

from ..clock import _english, clock  # noqa: F401 (pytest fixtures, used by name)
