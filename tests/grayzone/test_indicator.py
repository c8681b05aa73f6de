"""The trust indicator "median age of gray zones without an owner", with figures counted by hand.

Now is Tuesday 2026-11-24 10:00 JST (Monday 11/23 was 勤労感謝の日); the previous value is as of 90 days
before: Wednesday 2026-08-26 10:00 JST (Tuesday 8/11 was 山の日).
"""

from __future__ import annotations

import pytest

from shinrai.accounts import indicators as ind
from shinrai.accounts import trust_selectors
from shinrai.accounts.models import ProjectIndicators
from shinrai.grayzone import services

from .conftest import make_item

pytestmark = pytest.mark.django_db


def _owned(cast, item, *, by="vendor_pm"):
    services.item_offer(by=cast.users[by], item=item, organization=item.project.vendor_org)
    return services.item_accept(by=cast.users[by], item=item)


@pytest.fixture
def gray_zones(cast, clock):
    own = cast.own
    clock.set(2026, 8, 10, 9, 0)  # E: still without an owner on 8/26
    e = make_item(cast, title="E")
    clock.set(2026, 8, 26, 9, 0)  # F: marked and owned on 8/26, after 10:00
    f = make_item(cast, title="F")
    clock.set(2026, 8, 26, 15, 0)
    _owned(cast, f)
    clock.set(2026, 9, 1, 12, 0)
    _owned(cast, e)
    clock.set(2026, 11, 2, 9, 0)  # C: owned within the window, so without an owner at neither end
    c = make_item(cast, title="C")
    clock.set(2026, 11, 5, 9, 0)
    _owned(cast, c)
    clock.set(2026, 11, 9, 9, 0)
    make_item(cast, title="B")  # 10 business days by 11/24
    clock.set(2026, 11, 16, 9, 0)
    d = make_item(cast, title="D")  # 5
    services.item_offer(by=cast.users["vendor_pm"], item=d, organization=own.vendor_org)  # offered: no owner
    clock.set(2026, 11, 20, 9, 0)
    make_item(cast, title="A")  # 1
    make_item(cast, project=cast.other, by="vendor_manager", title="other")  # 1
    clock.set(2026, 11, 24, 10, 0)


def test_the_median_age_of_gray_zones_without_an_owner(cast, gray_zones):
    manager = cast.users["vendor_manager"]
    board = trust_selectors.trust_board(user=manager)
    own = board.project(cast.own.pk).figures["grayzone_age"]
    # Now: A 1, B 10, D 5 (E, F and C have owners) → median 5. 90 days ago: E 11 (8/12–14, 17–21, 24–26), F 0.
    assert (own.value, own.previous, own.basis) == (5.0, 5.5, 3)
    assert (own.status, own.trend, own.shown) == ("green", "better", "5 days")
    other = board.project(cast.other.pk).figures["grayzone_age"]
    assert (other.value, other.previous, other.basis) == (1.0, None, 1)
    assert board.account(cast.customer.pk).figures["grayzone_age"].value == 5.0
    # The portfolio takes the median of every project's items together: 1, 1, 5, 10 → 3.
    assert (board.figures["grayzone_age"].value, board.figures["grayzone_age"].basis) == (3.0, 4)
    assert ind.BY_ID["grayzone_age"].status(10.5) == "red"


@pytest.mark.django_db(transaction=True)  # the drops run on commit, as in production
def test_the_stored_figures_equal_the_gathered_ones_and_a_gray_zone_write_drops_them(cast, gray_zones, clock):
    manager = cast.users["vendor_manager"]

    def stored() -> bool:
        return ProjectIndicators.objects.filter(project=cast.own).exists()

    gathered = trust_selectors.trust_board(user=manager).project(cast.own.pk).packed
    assert trust_selectors.trust_board(user=manager, stored=True).project(cast.own.pk).packed == gathered
    assert stored()
    item = make_item(cast, title="G")  # marked now: age 0
    assert not stored()
    clock.set(2026, 11, 24, 10, 30)
    figure = (
        trust_selectors.trust_board(user=manager, stored=True).project(cast.own.pk).figures["grayzone_age"]
    )
    assert (figure.value, figure.basis) == (3.0, 4)  # 0, 1, 5, 10
    shared = _shared(cast, item)
    trust_selectors.trust_board(user=manager, stored=True)
    assert stored()
    services.comment_add(by=cast.users["partner_viewer"], item=shared, body="見ます")
    assert not stored()  # a partner's comment is a write on the project too


def _shared(cast, item):
    return services.item_share(
        by=cast.users["vendor_pm"], item=item, visibility="partners", partners=[cast.partner]
    )
