"""The measured facts, with numbers counted by hand on the calendar (Japanese public holidays of 2026:
3/20, 4/29, 5/4–5/6, 9/21–9/23, 10/12, 11/3, 11/23).

Today is Tuesday 2026-11-24: the current window is 2026-05-29 … 2026-11-24 and the previous one
2025-11-30 … 2026-05-28. Every figure below is written out with the days it counts.
"""

from __future__ import annotations

from datetime import date

import pytest

from shinrai.core.models import AuditEvent, Organization, Role
from shinrai.ledger.models import ChangeRequest, CustomerRequest
from shinrai.partnership import facts, selectors
from shinrai.progress.models import Task
from shinrai.troubles.models import Decision, Option, Trouble

from ..factories import ProjectFactory, ProjectMemberFactory
from .conftest import at

pytestmark = pytest.mark.django_db


def _trouble(project, number, *, disclosed=None, status=Trouble.Status.DECIDED, title="障害"):
    return Trouble.objects.create(
        project=project,
        number=number,
        title=f"{title}{number}",
        facts="事実",
        detected_at=at(2025, 1, 6, 9),
        disclosed_at=disclosed,
        visibility="customer",
        status=status,
    )


def _option(trouble, created):
    return Option.objects.create(trouble=trouble, description="案A", created_at=created)


def _proposed(trouble, when):
    AuditEvent.objects.create(
        action="trouble.propose", object_type="troubles.trouble", object_id=str(trouble.pk), at=when
    )


def _decide(trouble, option, *, at_, meeting_at=None):
    return Decision.objects.create(
        trouble=trouble,
        option=option,
        how="meeting" if meeting_at else "portal",
        meeting_at=meeting_at,
        rationale="理由",
        at=at_,
    )


def _change(project, user, *, proposed, decided=None, status=ChangeRequest.Status.APPROVED, title="帳票追加"):
    return ChangeRequest.objects.create(
        project=project,
        title=title,
        description="変更",
        reason="要望",
        requested_by="山田部長",
        created_by=user,
        created_at=proposed,
        status=status,
        proposed_at=proposed,
        decided_at=decided,
    )


def _request(project, user, *, asked, due, title="資料"):
    return CustomerRequest.objects.create(
        project=project, title=title, due_at=due, requested_by=user, created_at=asked
    )


def _task(project, owner, *, finish, done=None, parent=None, name="タスク", created=None):
    return Task.objects.create(
        project=project,
        parent=parent,
        name=name,
        owner=owner,
        planned_finish=finish,
        status=Task.Status.DONE if done else Task.Status.IN_PROGRESS,
        progress=100 if done else 50,
        completed_at=done,
        created_at=created or at(2026, 1, 5, 9),
    )


@pytest.fixture
def world(cast, clock):
    """Troubles, change requests, requests and tasks of the own project (V × C1), and the same kinds on
    projects that must never count: the other vendor's project with C1, and our project with C2."""
    own, pm, member = cast.own, cast.users["vendor_pm"], cast.users["customer_member"]
    sponsor = cast.users["customer_sponsor"]

    # --- Troubles: options proposed → decision ---
    t1 = _trouble(own, 1, disclosed=at(2026, 11, 19, 10))
    _proposed(t1, at(2026, 11, 20, 15))  # Fri → Tue 11/24 (Sat, Sun, Mon 11/23 a holiday): 1
    _decide(t1, _option(t1, at(2026, 11, 19, 11)), at_=at(2026, 11, 24, 9))
    t2 = _trouble(own, 2, disclosed=at(2026, 10, 26, 10))  # no propose event: disclosure or newest option
    _option(t2, at(2026, 10, 27, 9))
    newest = _option(t2, at(2026, 10, 28, 12))  # Wed 10/28 → Thu 11/5 in a meeting (11/3 a holiday): 5
    _decide(t2, newest, at_=at(2026, 11, 6, 17), meeting_at=at(2026, 11, 5, 16))
    t3 = _trouble(own, 3, disclosed=at(2026, 8, 31, 10))
    _proposed(t3, at(2026, 9, 1, 10))  # proposed again later: the latest before the decision counts
    _proposed(t3, at(2026, 9, 14, 10))  # Mon 9/14 → Fri 9/25 (9/21–9/23 holidays): 15–18, 24, 25 = 6
    _decide(t3, _option(t3, at(2026, 8, 31, 11)), at_=at(2026, 9, 25, 18))
    t4 = _trouble(own, 4, disclosed=at(2026, 2, 27, 10))
    _proposed(t4, at(2026, 3, 2, 10))  # previous window: Mon 3/2 → Fri 3/6 = 4
    _decide(t4, _option(t4, at(2026, 2, 27, 11)), at_=at(2026, 3, 6, 12))
    waiting = _trouble(own, 5, disclosed=at(2026, 11, 16, 9), status=Trouble.Status.OPTIONS_PROPOSED)
    _option(waiting, at(2026, 11, 16, 10))
    _proposed(waiting, at(2026, 11, 17, 10))  # waiting since Tue 11/17: 18, 19, 20, 24 = 4

    # --- Change requests: submitted → decided ---
    _change(own, pm, proposed=at(2026, 6, 1, 10), decided=at(2026, 6, 15, 10))  # 6/2 … 6/15 = 10
    _change(
        own,
        pm,
        proposed=at(2026, 10, 1, 10),
        decided=at(2026, 10, 9, 10),
        status=ChangeRequest.Status.REJECTED,
    )  # Thu 10/1 → Fri 10/9 = 6
    _change(own, pm, proposed=at(2026, 5, 20, 10), decided=at(2026, 5, 29, 10))  # decided on the window's
    # first day: current; 5/21, 22, 25–29 = 7
    _change(own, pm, proposed=at(2026, 4, 27, 10), decided=at(2026, 5, 8, 10))  # previous: 4/28, 4/30, 5/1,
    # 5/7, 5/8 = 5
    _change(own, pm, proposed=at(2026, 10, 1, 10), status=ChangeRequest.Status.WITHDRAWN, title="取り下げ")
    _change(own, pm, proposed=at(2026, 11, 16, 10), status=ChangeRequest.Status.PROPOSED, title="待ち")
    # waiting since Mon 11/16: 17–20, 24 = 5

    # --- Customer requests: notice ---
    _request(own, sponsor, asked=at(2026, 11, 20, 17), due=at(2026, 11, 24, 12), title="明日中")  # 1: short
    _request(own, sponsor, asked=at(2026, 11, 18, 10), due=at(2026, 11, 18, 18), title="本日中")  # 0: short
    _request(own, sponsor, asked=at(2026, 11, 9, 10), due=at(2026, 11, 13, 18), title="今週中")  # 4
    _request(
        own, sponsor, asked=at(2026, 10, 1, 10), due=at(2026, 10, 5, 18), title="来週月曜"
    )  # 2: not short
    _request(own, sponsor, asked=at(2026, 4, 28, 10), due=at(2026, 4, 30, 18), title="連休前")  # previous: 1

    # --- Customer-side tasks ---
    _task(own, member, finish=date(2026, 11, 13), name="マスタ提供")  # 11/16–20, 24 = 6 late
    _task(own, sponsor, finish=date(2026, 11, 24), name="今日まで")  # due today: not late yet
    _task(own, pm, finish=date(2026, 10, 1), name="ベンダー側")  # ours: not counted
    _task(own, member, finish=date(2026, 11, 2), done=at(2026, 11, 10, 9), name="済み")  # done
    summary = _task(own, member, finish=date(2026, 11, 2), name="まとめ")  # has a sub-task: not counted
    _task(own, pm, finish=date(2026, 11, 2), parent=summary, name="子")
    _task(own, member, finish=date(2026, 11, 20), name="確認")  # Fri 11/20 → 11/24 = 1 late
    _task(own, member, finish=date(2026, 5, 20), done=at(2026, 6, 3, 9), name="前期")  # late at 5/28: 6
    _task(  # registered after the previous window, done since: counts in neither
        own,
        member,
        finish=date(2026, 5, 20),
        done=at(2026, 7, 10, 9),
        name="後から登録",
        created=at(2026, 7, 1, 9),
    )

    # --- What must never count: another vendor's project with C1, our project with C2 ---
    for project in (cast.foreign, cast.other):
        user = cast.users["other_vendor_manager"] if project == cast.foreign else cast.users["vendor_manager"]
        hidden = _trouble(project, 1, disclosed=at(2026, 10, 1, 10), title="他")
        _proposed(hidden, at(2026, 10, 1, 11))
        _decide(hidden, _option(hidden, at(2026, 10, 1, 10)), at_=at(2026, 11, 20, 10))
        _change(project, user, proposed=at(2026, 7, 1, 10), decided=at(2026, 9, 1, 10))
        _request(project, user, asked=at(2026, 11, 20, 10), due=at(2026, 11, 20, 12))
    return cast


def _days(measure):
    return [item.days for item in measure.items]


def test_windows_are_180_days_each():
    current, previous = facts.windows(date(2026, 11, 24))
    assert (current.first, current.last) == (date(2026, 5, 29), date(2026, 11, 24))
    assert (previous.first, previous.last) == (date(2025, 11, 30), date(2026, 5, 28))


def test_decision_latency_on_troubles_counted_by_hand(world):
    f = selectors.facts_for(
        user=world.users["vendor_manager"], customer=world.customer, today=date(2026, 11, 24)
    )
    now, before = f.trouble_decisions.current, f.trouble_decisions.previous
    assert sorted(_days(now)) == [1, 5, 6]
    assert (now.count, now.median) == (3, 5.0)
    assert [(i.ref, i.start, i.end) for i in sorted(now.items, key=lambda i: i.ref)] == [
        ("T-001", date(2026, 11, 20), date(2026, 11, 24)),
        ("T-002", date(2026, 10, 28), date(2026, 11, 5)),  # the newest option, the meeting's day
        ("T-003", date(2026, 9, 14), date(2026, 9, 25)),
    ]
    assert (_days(before), before.median) == ([4], 4.0)
    slowest = Trouble.objects.get(project=world.own, number=3)  # listed first: most days
    assert now.items[0].url == f"/projects/{world.own.pk}/troubles/{slowest.pk}/"


def test_decision_latency_on_change_requests_counted_by_hand(world):
    f = selectors.facts_for(
        user=world.users["vendor_manager"], customer=world.customer, today=date(2026, 11, 24)
    )
    now, before = f.change_decisions.current, f.change_decisions.previous
    assert (sorted(_days(now)), now.median) == ([6, 7, 10], 7.0)
    assert (_days(before), before.median) == ([5], 5.0)
    assert all(item.url.startswith(f"/projects/{world.own.pk}/changes/#change-") for item in now.items)


def test_short_notice_requests_counted_by_hand(world):
    f = selectors.facts_for(
        user=world.users["vendor_manager"], customer=world.customer, today=date(2026, 11, 24)
    )
    now, before = f.short_notice.current, f.short_notice.previous
    assert [(item.title, item.days) for item in now.items] == [("本日中", 0), ("明日中", 1)]
    assert (now.count, now.total, now.median) == (2, 4, 1.5)  # notices 0, 1, 2, 4: median (1 + 2) / 2
    assert (before.count, before.total, before.median) == (1, 1, 1.0)


def test_overdue_customer_tasks_counted_by_hand(world):
    f = selectors.facts_for(
        user=world.users["vendor_manager"], customer=world.customer, today=date(2026, 11, 24)
    )
    now, before = f.overdue_tasks.current, f.overdue_tasks.previous
    assert [(item.title, item.days) for item in now.items] == [("マスタ提供", 6), ("確認", 1)]
    assert now.median == 3.5
    assert [(item.title, item.days, item.end) for item in before.items] == [("前期", 6, date(2026, 5, 28))]


def test_waiting_for_the_customer_today(world):
    f = selectors.facts_for(
        user=world.users["vendor_manager"], customer=world.customer, today=date(2026, 11, 24)
    )
    assert [(item.kind, item.title, item.days) for item in f.waiting] == [
        ("change_request", "待ち", 5),
        ("trouble", "障害5", 4),
    ]


def test_a_pm_counts_only_the_projects_they_are_on(world):
    """A second project of the same account that the PM is not on: the manager counts it, the PM does not."""
    second = ProjectFactory(vendor_org=world.vendor, customer_org=world.customer, code="OWN-2")
    hidden = _trouble(second, 1, disclosed=at(2026, 11, 2, 10))
    _proposed(hidden, at(2026, 11, 2, 11))
    _decide(hidden, _option(hidden, at(2026, 11, 2, 10)), at_=at(2026, 11, 20, 10))  # 11/4 … 11/20 = 13
    today = date(2026, 11, 24)
    by_manager = selectors.facts_for(user=world.users["vendor_manager"], customer=world.customer, today=today)
    by_pm = selectors.facts_for(user=world.users["vendor_pm"], customer=world.customer, today=today)
    assert sorted(_days(by_manager.trouble_decisions.current)) == [1, 5, 6, 13]
    assert sorted(_days(by_pm.trouble_decisions.current)) == [1, 5, 6]
    ProjectMemberFactory(project=second, user=world.users["vendor_pm"], role=Role.VENDOR_PM)
    by_pm = selectors.facts_for(user=world.users["vendor_pm"], customer=world.customer, today=today)
    assert sorted(_days(by_pm.trouble_decisions.current)) == [1, 5, 6, 13]


def test_the_facts_take_a_fixed_number_of_queries(world, django_assert_num_queries):
    customer = Organization.objects.get(pk=world.customer.pk)
    manager = world.users["vendor_manager"]
    with django_assert_num_queries(10):  # the projects, then nine
        selectors.facts_for(user=manager, customer=customer, today=date(2026, 11, 24))
    more = _trouble(world.own, 9, disclosed=at(2026, 11, 2, 10))
    _proposed(more, at(2026, 11, 2, 11))
    _decide(more, _option(more, at(2026, 11, 2, 10)), at_=at(2026, 11, 20, 10))
    _request(world.own, world.users["customer_sponsor"], asked=at(2026, 11, 20, 10), due=at(2026, 11, 20, 12))
    with django_assert_num_queries(10):
        selectors.facts_for(user=manager, customer=customer, today=date(2026, 11, 24))


def test_business_days_rule():
    assert facts.business_days(date(2026, 11, 20), date(2026, 11, 24)) == 1  # Fri → Tue over a holiday
    assert facts.business_days(date(2026, 11, 24), date(2026, 11, 24)) == 0
    assert facts.business_days(date(2026, 11, 25), date(2026, 11, 24)) == 0
