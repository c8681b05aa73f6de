"""Who sees which gray-zone items, comments and positions; the board's ages, order, summary and filters; the
portfolio board; a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.core.models import Visibility
from shinrai.grayzone import selectors, services
from shinrai.grayzone.models import GrayZoneItem
from shinrai.troubles import services as trouble_services

from .conftest import at, make_item, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(cast, clock, second_partner):
    """Vendor-only, customer, shared with P1 (the cast's partner), with P3 only; one on another project."""
    p3, _viewer = second_partner
    clock.set(2026, 11, 9, 9, 0)
    internal = make_item(cast, title="社内のみ")
    clock.set(2026, 11, 16, 9, 0)
    customer = share(cast, make_item(cast, title="顧客と共有"))
    clock.set(2026, 11, 20, 9, 0)
    p1 = share(cast, make_item(cast, title="P1と共有"), Visibility.PARTNERS, [cast.partner])
    p3_only = share(cast, make_item(cast, title="P3と共有"), Visibility.PARTNERS, [p3])
    other = make_item(cast, project=cast.other, by="vendor_manager", title="他顧客")
    clock.set(2026, 11, 24, 10, 0)
    return {"internal": internal, "customer": customer, "p1": p1, "p3": p3_only, "other": other}


def _titles(board) -> list[str]:
    return [row.item.title for row in board.rows]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("vendor_manager", ["社内のみ", "顧客と共有", "P1と共有", "P3と共有"]),
        ("vendor_member", ["社内のみ", "顧客と共有", "P1と共有", "P3と共有"]),
        ("customer_member", ["顧客と共有", "P1と共有", "P3と共有"]),
        ("partner_viewer", ["P1と共有"]),
        ("p3_viewer", ["P3と共有"]),
    ],
)
def test_each_role_sees_the_items_shared_with_it(cast, items, role, expected):
    user = cast.users.get(role) or cast.own.members.get(user__email="p3_viewer@example.jp").user
    assert _titles(selectors.board(user=user, project=cast.own)) == expected


@pytest.mark.parametrize("role", ["outsider_customer", "outsider_partner", "other_vendor_manager"])
def test_other_tenants_see_nothing_and_get_404(cast, items, role):
    from django.http import Http404

    user = cast.users[role]
    assert list(selectors.items_for(user=user, project=cast.own)) == []
    with pytest.raises(Http404):
        selectors.item_by_id(user=user, pk=items["customer"].pk)


def test_the_board_lists_open_items_oldest_first_with_their_age(cast, items):
    pm = cast.users["vendor_pm"]
    services.item_offer(by=pm, item=items["p1"], organization=cast.partner)
    services.item_accept(by=pm, item=items["p1"])  # owned today: after the open ones
    board = selectors.board(user=pm, project=cast.own)
    # ages on Tue 11/24 (11/23 a holiday): marked 11/09 → 10, 11/16 → 5, 11/20 → 1; P1 owned on 11/24 → 1
    assert [(row.item.title, row.age) for row in board.rows] == [
        ("社内のみ", 10),
        ("顧客と共有", 5),
        ("P3と共有", 1),
        ("P1と共有", 1),
    ]
    assert (board.unowned, board.median_age, board.oldest) == (3, 5.0, 10)
    assert _titles(selectors.board(user=pm, project=cast.own, state="owned")) == ["P1と共有"]
    assert _titles(selectors.board(user=pm, project=cast.own, state="open", min_age=5)) == [
        "社内のみ",
        "顧客と共有",
    ]
    assert _titles(selectors.board(user=pm, project=cast.own, reason="several_vendors")) == []
    assert _titles(selectors.board(user=pm, project=cast.own, source="action")) == _titles(board)


def test_the_portfolio_board_spans_the_projects_a_vendor_user_may_open(cast, items):
    assert {row.item.title for row in selectors.portfolio_board(user=cast.users["vendor_manager"]).rows} == {
        "社内のみ",
        "顧客と共有",
        "P1と共有",
        "P3と共有",
        "他顧客",
    }
    assert "他顧客" not in _titles(selectors.portfolio_board(user=cast.users["vendor_pm"]))
    assert selectors.portfolio_board(user=cast.users["customer_sponsor"]).rows == []
    assert selectors.portfolio_board(user=cast.users["other_vendor_manager"]).rows == []


def test_comments_are_read_by_their_audience(cast, items):
    item, pm = items["p1"], cast.users["vendor_pm"]
    services.comment_add(by=pm, item=item, body="社内メモ", vendor_only=True)
    services.comment_add(by=cast.users["partner_viewer"], item=item, body="協力会社から")
    services.comment_add(by=cast.users["customer_member"], item=item, body="顧客から")

    def bodies(role):
        return [c.body for c in selectors.comments_for(user=cast.users[role], item=item)]

    assert bodies("vendor_member") == ["社内メモ", "協力会社から", "顧客から"]
    assert bodies("customer_sponsor") == ["協力会社から", "顧客から"]
    assert bodies("partner_viewer") == ["協力会社から", "顧客から"]


def test_a_source_is_named_only_to_those_who_may_open_it(cast, clock):
    pm = cast.users["vendor_pm"]
    hidden = trouble_services.trouble_create(
        by=pm, project=cast.own, title="未開示の障害", facts="事実", detected_at=at(2026, 11, 20, 9)
    )
    item = share(
        cast, make_item(cast, source="trouble", source_object=hidden), Visibility.PARTNERS, [cast.partner]
    )
    assert selectors.board(user=pm, project=cast.own).rows[0].source_label == "T-001 未開示の障害"
    assert selectors.board(user=cast.users["customer_sponsor"], project=cast.own).rows[0].source_label == ""
    trouble_services.trouble_disclose(by=pm, trouble=hidden, version=hidden.version)  # customer only
    assert selectors.board(user=cast.users["customer_sponsor"], project=cast.own).rows[0].source_label == (
        "T-001 未開示の障害"
    )
    assert selectors.board(user=cast.users["partner_viewer"], project=cast.own).rows[0].source_label == ""
    assert item.trouble == hidden


def test_a_partner_sees_only_its_own_organization_on_the_share_list(cast, items, second_partner):
    p3, _viewer = second_partner
    both = share(cast, make_item(cast, title="両方"), Visibility.PARTNERS, [cast.partner, p3])
    seen = selectors.item_for(user=cast.users["partner_viewer"], project=cast.own, pk=both.pk)
    assert [s.organization for s in seen.shares.all()] == [cast.partner]
    vendor = selectors.item_for(user=cast.users["vendor_pm"], project=cast.own, pk=both.pk)
    assert {s.organization for s in vendor.shares.all()} == {cast.partner, p3}


def test_positions_and_versions_by_audience(cast, clock, second_partner):
    p3, p3_viewer = second_partner
    pm = cast.users["vendor_pm"]
    fields = {"question": "リリースは遅れる？", "facts": "事実", "recommendation": "予定どおり"}
    draft = services.position_create(by=pm, project=cast.own, **fields)
    shared = services.position_create(by=pm, project=cast.own, **fields | {"question": "費用は？"})
    services.position_share(by=pm, position=shared, visibility=Visibility.CUSTOMER)
    services.position_update(by=pm, position=shared, recommendation="追加費用なし")
    services.position_share(by=pm, position=shared, visibility=Visibility.PARTNERS, partners=[cast.partner])

    def seen(user):
        return [p.question for p in selectors.position_list(user=user, project=cast.own)]

    assert seen(pm) == ["費用は？", "リリースは遅れる？"]
    assert seen(cast.users["customer_member"]) == ["費用は？"]
    assert seen(cast.users["partner_viewer"]) == ["費用は？"]
    assert seen(p3_viewer) == []
    # v1 and v2 were written for the customer; v3 (same text) for the customer and the partners.
    assert [
        v.number for v in selectors.versions_for(user=cast.users["customer_member"], position=shared)
    ] == [3, 2, 1]
    assert [v.number for v in selectors.versions_for(user=cast.users["partner_viewer"], position=shared)] == [
        3
    ]
    assert draft.version == 0 and not draft.versions.exists()


def test_the_board_takes_the_same_number_of_queries_for_more_items(cast, clock, second_partner):
    pm = cast.users["vendor_pm"]

    def count(user) -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.board(user=user, project=cast.own)
        return len(queries)

    def add():
        trouble = trouble_services.trouble_create(
            by=pm, project=cast.own, title="障害", facts="事実", detected_at=at(2026, 11, 20, 9)
        )
        trouble_services.trouble_disclose(
            by=pm, trouble=trouble, version=trouble.version, visibility="partners"
        )
        item = make_item(cast, source="trouble", source_object=trouble)
        share(cast, item, Visibility.PARTNERS, [cast.partner, second_partner[0]])
        services.item_offer(by=pm, item=item, organization=cast.partner, person=cast.users["partner_viewer"])

    add()
    small = [count(cast.users[role]) for role in ("vendor_pm", "customer_sponsor", "partner_viewer")]
    for _ in range(5):
        add()
    assert [count(cast.users[role]) for role in ("vendor_pm", "customer_sponsor", "partner_viewer")] == small
    assert GrayZoneItem.objects.filter(project=cast.own).count() == 6
