"""Helpers of the partnership tests: a clock on Tuesday 2026-11-24 (the day after a public holiday), times in
Japan, and checks made through the services."""

from datetime import datetime

import pytest

from shinrai.partnership import services

from ..clock import (
    TOKYO,
    Clock,
    _english,  # noqa: F401  (autouse: messages in English)
)

SCORES = {"own_part": 4, "decisions": 3, "equal_partner": 4, "learns": 3, "scope": 5}


@pytest.fixture
def clock(monkeypatch):
    """Tuesday 2026-11-24 10:00 in Tokyo (FY2026 Q3): the day after 勤労感謝の日 (Monday 11/23)."""
    clock = Clock(monkeypatch)
    clock.set(2026, 11, 24, 10, 0)
    return clock


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def make_check(cast, *, customer=None, by="vendor_manager", year=2026, quarter=2, **fields):
    values = dict(SCORES) | fields
    return services.assessment_create(
        by=cast.users[by], customer=customer or cast.customer, fiscal_year=year, quarter=quarter, **values
    )
