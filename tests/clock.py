"""A settable clock and an English UI for the app test packages that read messages in English.

Each package's conftest.py re-exports the fixtures it wants: ``from ..clock import _english, clock``.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone as django_timezone

TOKYO = ZoneInfo("Asia/Tokyo")


class Clock:
    """A settable "now" for services and model defaults (audit times included), in Asia/Tokyo.

    Replaces the ``datetime`` that django.utils.timezone.now() reads, so that field defaults such as
    ``AuditEvent.at`` (which hold the function itself) follow it too.
    """

    def __init__(self, monkeypatch):
        clock = self

        class FrozenDatetime(datetime):
            @classmethod
            def now(cls, tz=None):
                return clock.at if tz is None else clock.at.astimezone(tz)

        self.at = datetime(2026, 11, 9, 10, 0, tzinfo=TOKYO)
        monkeypatch.setattr(django_timezone, "datetime", FrozenDatetime)

    def set(self, *args) -> None:
        self.at = datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def clock(monkeypatch):
    """Pin the time for everything that asks django.utils.timezone: ``clock.set(2026, 11, 17, 10)``."""
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def _english(cast):
    """These tests read messages in English (the browser journey reads the Japanese UI)."""
    from django.utils import translation

    for user in cast.users.values():
        user.language = "en"
        user.save(update_fields=["language"])
    with translation.override("en"):
        yield
