"""Helpers of the gray-zone tests: items and positions made through the services, a second partner vendor."""

from datetime import datetime

import pytest

from shinrai.core.models import Organization, Role, Visibility
from shinrai.grayzone import services
from shinrai.grayzone.models import GrayZoneItem

from ..clock import (
    TOKYO,
    Clock,
    _english,  # noqa: F401  (autouse: messages in English)
)
from ..factories import OrganizationFactory, ProjectMemberFactory, UserFactory


@pytest.fixture
def clock(monkeypatch):
    """Tuesday 2026-11-24 10:00 in Tokyo: the day after 勤労感謝の日 (Monday 11/23, a public holiday)."""
    clock = Clock(monkeypatch)
    clock.set(2026, 11, 24, 10, 0)
    return clock


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def make_item(cast, *, project=None, by="vendor_pm", **fields) -> GrayZoneItem:
    values = {"title": "夜間バッチの監視担当", "reason": GrayZoneItem.Reason.NO_OWNER}
    values.update(fields)
    return services.item_create(by=cast.users[by], project=project or cast.own, **values)


def share(cast, item, visibility=Visibility.CUSTOMER, partners=(), by="vendor_pm") -> GrayZoneItem:
    return services.item_share(by=cast.users[by], item=item, visibility=visibility, partners=list(partners))


@pytest.fixture
def second_partner(cast):
    """Another partner vendor on the own project (P3), with its viewer: on some share lists, not on others."""
    org = OrganizationFactory(name="協力会社P3", kind=Organization.Kind.PARTNER)
    viewer = UserFactory(
        email="p3_viewer@example.jp", display_name="p3_viewer", organization=org, language="en"
    )
    ProjectMemberFactory(project=cast.own, user=viewer, role=Role.PARTNER_VIEWER)
    return org, viewer
