from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone as django_timezone

from shinrai.progress import services


@pytest.fixture
def make_task(cast):
    def make(name="画面設計", *, project=None, by=None, **fields):
        return services.task_save(
            by=by or cast.users["vendor_pm"], project=project or cast.own, name=name, **fields
        )

    return make


@pytest.fixture
def make_milestone(cast):
    def make(name="要件定義完了", *, project=None, by=None, baseline_date=date(2026, 12, 4), **fields):
        return services.milestone_save(
            by=by or cast.users["vendor_pm"],
            project=project or cast.own,
            name=name,
            baseline_date=baseline_date,
            **fields,
        )

    return make


def hours(value) -> Decimal:
    return Decimal(str(value))


TODAY = date(2026, 11, 20)  # a Friday


@pytest.fixture
def today(monkeypatch):
    """Pin Tokyo's date for pages and services that ask for today."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


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
