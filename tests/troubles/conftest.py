from datetime import datetime

import pytest

from shinrai.core.models import Visibility
from shinrai.troubles import services

from ..clock import TOKYO, Clock


@pytest.fixture
def clock(monkeypatch):
    """Pin the time for everything that asks django.utils.timezone: ``clock.set(2026, 11, 17, 10)``."""
    clock = Clock(monkeypatch)
    clock.set(2026, 11, 23, 10, 0)
    return clock


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


DETECTED = at(2026, 11, 20, 9, 0)


def make_trouble(cast, *, project=None, by="vendor_pm", detected=DETECTED, **fields):
    values = {"kind": "incident", "title": "夜間バッチが停止", "facts": "11/20 2:00 に夜間バッチが停止した"}
    values.update(fields)
    return services.trouble_create(
        by=cast.users[by],
        project=project or cast.own,
        detected_at=detected,
        severity=values.pop("severity", "high"),
        **values,
    )


def disclose(cast, trouble, visibility=Visibility.CUSTOMER, by="vendor_pm"):
    return services.trouble_disclose(
        by=cast.users[by], trouble=trouble, version=trouble.version, visibility=visibility
    )


def proposed(cast, trouble, options=3):
    """Disclose, analyse, add ``options`` options and propose them (as the PM)."""
    pm = cast.users["vendor_pm"]
    if trouble.disclosed_at is None:
        disclose(cast, trouble)
    services.trouble_start_analysis(by=pm, trouble=trouble, version=trouble.version)
    made = [
        services.option_add(
            by=pm,
            trouble=trouble,
            description=text,
            pros=pros,
            cons=cons,
            cost=cost,
            time_days=days,
            schedule_effect_days=effect,
        )
        for text, pros, cons, cost, days, effect in [
            ("手動で再実行する", "すぐ終わる", "再発の恐れ", 0, 1, 0),
            ("バッチを改修する", "再発しない", "費用がかかる", 800_000, 5, 3),
            ("運用を変更する", "費用が少ない", "手間が増える", 200_000, 2, 1),
        ][:options]
    ]
    services.trouble_propose(by=pm, trouble=trouble, version=trouble.version)
    return made


@pytest.fixture(autouse=True)
def _english(cast):
    """These tests read messages in English (the browser journey reads the Japanese UI)."""
    from django.utils import translation

    for user in cast.users.values():
        user.language = "en"
        user.save(update_fields=["language"])
    with translation.override("en"):
        yield
