from datetime import date
from decimal import Decimal

import pytest

from shinrai.progress import services
from tests.clock import TOKYO, clock  # noqa: F401  (re-exported: the shared settable clock)


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
