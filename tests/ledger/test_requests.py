"""Customer requests: due times, the vendor's steps, the ledger entries and the on-time indicators."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shinrai.ledger import chain, selectors, services
from shinrai.ledger.models import CustomerRequest, Entry

from ..clock import TOKYO


def _at(*args):
    return datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def six_requests(cast, clock):
    """Asked 2026-11-09 10:00; see the expected figures in the tests."""
    customer, pm = cast.users["customer_member"], cast.users["vendor_pm"]

    def ask(title, due):
        return services.request_create(by=customer, project=cast.own, title=title, due_at=due)

    r1 = ask("R1 明日中に資料を提出して", _at(2026, 11, 10, 18, 0))
    r2 = ask("R2 本日17時までに見積", _at(2026, 11, 9, 17, 0))
    r3 = ask("R3 議事録", _at(2026, 11, 10, 9, 0))
    r4 = ask("R4 テスト計画", _at(2026, 11, 20, 18, 0))
    r5 = ask("R5 取り下げ", _at(2026, 11, 9, 12, 0))
    r6 = ask("R6 連絡先", _at(2026, 11, 12, 18, 0))
    clock.set(2026, 11, 9, 11, 0)
    services.request_answer(by=pm, request=r6, answer="山田です")  # 1 h, on time
    services.request_close(by=pm, request=r5)  # closed unanswered: not counted
    clock.set(2026, 11, 9, 19, 0)
    services.request_answer(by=pm, request=r2, answer="送付しました")  # 9 h, late
    clock.set(2026, 11, 10, 9, 30)
    services.request_acknowledge(by=pm, request=r4)  # acknowledged, not due yet
    clock.set(2026, 11, 10, 12, 0)
    services.request_acknowledge(by=pm, request=r1)
    services.request_answer(by=pm, request=r1, answer="提出しました")  # 26 h, on time
    clock.set(2026, 11, 11, 10, 0)  # R3 is overdue since 11-10 09:00
    return r1, r2, r3, r4, r5, r6


def test_on_time_rate_and_response_time(cast, six_requests):
    indicators = selectors.request_indicators(CustomerRequest.objects.filter(project=cast.own))
    # answered: R1 (on time, 26 h), R2 (late, 9 h), R6 (on time, 1 h); overdue: R3; not counted: R4, R5
    assert indicators.total == 6
    assert indicators.open == 2  # R3, R4
    assert indicators.overdue == 1
    assert indicators.counted == 4
    assert indicators.on_time == 2
    assert indicators.on_time_rate == 0.5
    assert indicators.mean_hours == pytest.approx(12.0)
    assert indicators.median_hours == pytest.approx(9.0)


def test_each_step_is_in_the_ledger(cast, six_requests):
    entries = list(Entry.objects.filter(project=cast.own))
    assert all(e.kind == "customer_request" for e in entries)
    # 6 asked, R1 acknowledged and answered, R2 answered, R4 acknowledged, R5 closed, R6 answered
    steps = [(e.payload["title"][:2], e.payload["step"]) for e in entries]
    assert steps == [
        ("R1", "asked"),
        ("R2", "asked"),
        ("R3", "asked"),
        ("R4", "asked"),
        ("R5", "asked"),
        ("R6", "asked"),
        ("R6", "answered"),
        ("R5", "closed"),
        ("R2", "answered"),
        ("R4", "acknowledged"),
        ("R1", "acknowledged"),
        ("R1", "answered"),
    ]
    assert entries[8].payload["on_time"] is False and entries[11].payload["on_time"] is True
    assert entries[0].actor == cast.users["customer_member"]
    assert entries[0].payload["due_at"] == "2026-11-10T09:00:00.000000+00:00"  # 18:00 JST in UTC
    assert chain.verify_project(cast.own).ok


def test_due_and_overdue_are_shown_to_both_sides(client, cast, six_requests):
    client.force_login(cast.users["customer_member"])
    html = client.get(reverse("ledger:portal", args=[cast.own.pk])).content.decode()
    assert html.count("data-overdue") == 1
    assert "2026-11-10 09:00" in html  # R3's due time, Tokyo time
    assert "50%" in html
    client.force_login(cast.users["vendor_member"])
    html = client.get(reverse("ledger:requests", args=[cast.own.pk])).content.decode()
    assert html.count("data-overdue") == 1
    assert "50%" in html


def test_bad_input_and_wrong_steps(cast, clock):
    customer, pm = cast.users["customer_sponsor"], cast.users["vendor_pm"]
    with pytest.raises(ValidationError):
        services.request_create(by=customer, project=cast.own, title=" ", due_at=_at(2026, 11, 10, 18))
    with pytest.raises(ValidationError):
        services.request_create(by=customer, project=cast.own, title="過去", due_at=_at(2026, 11, 9, 9))
    item = services.request_create(by=customer, project=cast.own, title="資料", due_at=_at(2026, 11, 10, 18))
    with pytest.raises(ValidationError):
        services.request_answer(by=pm, request=item, answer="  ")
    services.request_answer(by=pm, request=item, answer="済")
    with pytest.raises(ValidationError):
        services.request_acknowledge(by=pm, request=item)
    with pytest.raises(ValidationError):
        services.request_answer(by=pm, request=item, answer="再回答")
    assert Entry.objects.filter(project=cast.own).count() == 2  # asked, answered: nothing half-written


def test_customer_asks_in_the_portal_and_the_vendor_answers(client, cast, clock):
    client.force_login(cast.users["customer_member"])
    response = client.post(
        reverse("ledger:portal_request_create", args=[cast.own.pk]),
        {"title": "明日中に資料を提出して", "body": "会議用", "due_date": "2026-11-10"},
    )
    assert response.status_code == 302
    item = CustomerRequest.objects.get()
    assert item.due_at == _at(2026, 11, 10, 18, 0)  # no time given: 18:00
    assert item.requested_by == cast.users["customer_member"]
    # a past due date is refused with a message, nothing stored
    response = client.post(
        reverse("ledger:portal_request_create", args=[cast.own.pk]),
        {"title": "遅い", "due_date": "2026-11-01"},
        follow=True,
    )
    assert CustomerRequest.objects.count() == 1
    assert [str(m) for m in response.context["messages"]][-1] == "The due time must be in the future."

    client.force_login(cast.users["vendor_member"])
    url = reverse("ledger:request_answer", args=[cast.own.pk, item.pk])
    assert client.post(url, {"answer": "提出しました"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "answered" and item.answered_by == cast.users["vendor_member"]


def test_request_permissions(client, cast, clock):
    item = services.request_create(
        by=cast.users["customer_sponsor"], project=cast.own, title="資料", due_at=_at(2026, 11, 10, 18)
    )
    # partners and customers of another organization see nothing; customers cannot answer
    for role, url, method in [
        ("partner_viewer", reverse("ledger:portal", args=[cast.own.pk]), "get"),
        ("partner_viewer", reverse("ledger:portal_request_create", args=[cast.own.pk]), "post"),
        ("outsider_customer", reverse("ledger:portal", args=[cast.own.pk]), "get"),
        ("customer_sponsor", reverse("ledger:request_answer", args=[cast.own.pk, item.pk]), "post"),
        ("customer_member", reverse("ledger:requests", args=[cast.own.pk]), "get"),
    ]:
        client.force_login(cast.users[role])
        assert (
            getattr(client, method)(url, {"answer": "x", "title": "x", "due_date": "2026-12-01"}).status_code
            == 404
        )
    item.refresh_from_db()
    assert item.status == "open"
    assert CustomerRequest.objects.count() == 1
    # a request of another project is not reachable through this one
    other = services.request_create(
        by=cast.users["outsider_customer"], project=cast.other, title="他", due_at=_at(2026, 11, 10, 18)
    )
    client.force_login(cast.users["vendor_pm"])
    assert client.post(reverse("ledger:request_close", args=[cast.own.pk, other.pk])).status_code == 404
