""" "At a glance" on the customer's project page: schedule, latest report, open problems, what is waiting."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core.models import Visibility
from shinrai.progress import report_services, services
from shinrai.progress.portal_summary import portal_glance
from shinrai.requirements import services as requirement_services

from ..factories import MilestoneFactory

WEEK = date(2026, 11, 16)
TOKYO = ZoneInfo("Asia/Tokyo")
CRITERION = {
    "metric": "検索応答時間(95パーセンタイル)",
    "operator": "lte",
    "threshold": "2",
    "unit": "秒",
    "condition": "同時利用者300人",
    "method": "負荷試験",
}


def _publish(cast, week_start, problem="帳票の追加要望があり、対応を相談中です"):
    pm = cast.users["vendor_pm"]
    draft = report_services.report_create_draft(by=pm, project=cast.own, week_start=week_start)
    draft = report_services.report_update(by=pm, report=draft, problem=problem)
    return report_services.report_publish(by=pm, report=draft)


@pytest.fixture
def setup(cast, clock):
    clock.set(2026, 11, 20, 17)
    MilestoneFactory(project=cast.own, name="社内向け確認ポイント", visibility=Visibility.INTERNAL)
    MilestoneFactory(project=cast.own, name="受入テスト開始", visibility=Visibility.CUSTOMER)
    requirement_services.requirement_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        text="在庫一覧を2秒以内に表示すること",
        criteria=[CRITERION],
    )
    review = requirement_services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    report = _publish(cast, WEEK, problem="課" * 250)
    return review, report


def _page(client, user, project):
    client.force_login(user)
    response = client.get(reverse("core:portal_project", args=[project.pk]))
    assert response.status_code == 200
    return response


def test_customer_sees_all_four_answers(client, cast, setup):
    review, report = setup
    response = _page(client, cast.users["customer_sponsor"], cast.own)
    glance = response.context["glance"]
    assert glance.latest_report == report
    assert glance.problem == "課" * 200 and glance.problem_truncated
    assert glance.open_review == review
    assert glance.report_to_acknowledge == report
    html = response.content.decode()
    assert "At a glance" in html or "ひと目で" in html
    assert reverse("progress:portal_roadmap", args=[cast.own.pk]) in html
    assert reverse("reports:portal_detail", args=[cast.own.pk, report.pk]) in html
    assert reverse("requirements:portal", args=[cast.own.pk]) in html
    assert str(report.get_status_display()) in html
    assert "課" * 200 in html and "課" * 201 not in html


def test_partner_sees_no_report_and_no_review(client, cast, setup):
    glance = _page(client, cast.users["partner_viewer"], cast.own).context["glance"]
    assert glance.latest_report is None
    assert glance.problem == ""
    assert glance.open_review is None
    assert not glance.waiting
    assert glance.schedule is not None


def test_an_acknowledged_report_is_no_longer_waiting(client, cast, setup):
    _review, report = setup
    user = cast.users["customer_member"]
    report_services.report_acknowledge(by=user, report=report)
    glance = portal_glance(user=user, project=cast.own)
    assert glance.latest_report == report
    assert glance.report_to_acknowledge is None
    # Someone else's acknowledgement does not count for the sponsor.
    assert (
        portal_glance(user=cast.users["customer_sponsor"], project=cast.own).report_to_acknowledge == report
    )


def test_vendor_preview_shows_the_customer_view(client, cast, setup):
    _review, report = setup
    pm = cast.users["vendor_pm"]
    # A newer draft is not the customer's to see.
    report_services.report_create_draft(by=pm, project=cast.own, week_start=WEEK + timedelta(days=-7))
    response = _page(client, pm, cast.own)
    glance = response.context["glance"]
    assert response.context["is_preview"]
    assert glance.latest_report == report
    assert [m.milestone.name for m in glance.schedule.milestones] == ["受入テスト開始"]
    assert glance.report_to_acknowledge is None  # the vendor has nothing to acknowledge


@pytest.mark.parametrize("key", ["customer_sponsor", "vendor_pm", "partner_viewer"])
def test_no_internal_milestone_name_leaks(client, cast, setup, key):
    html = _page(client, cast.users[key], cast.own).content.decode()
    assert "社内向け確認ポイント" not in html


def test_queries_do_not_grow_with_the_reports(client, cast, clock):
    clock.set(2026, 11, 20, 17)
    user = cast.users["customer_sponsor"]
    _publish(cast, WEEK - timedelta(days=28))
    client.force_login(user)
    url = reverse("core:portal_project", args=[cast.own.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for weeks in (1, 2, 3, 4):
        _publish(cast, WEEK - timedelta(days=28 - 7 * weeks))
    client.get(url)  # publishing records progress, so the cached schedule is drawn again once
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert response.context["glance"].latest_report.week_start == WEEK
    assert len(five) == len(one)


def test_glance_takes_a_fixed_handful_of_queries(cast, setup, django_assert_max_num_queries):
    # 7 before the troubles and ledger apps, + 1 for troubles waiting for a choice, + 1 for changes
    with django_assert_max_num_queries(9):
        portal_glance(user=cast.users["customer_sponsor"], project=cast.own)


def test_the_cached_schedule_follows_a_progress_change(client, cast, clock):
    clock.set(2026, 11, 20, 17)
    pm = cast.users["vendor_pm"]
    task = services.task_save(
        by=pm,
        project=cast.own,
        name="画面設計",
        planned_start=date(2026, 11, 16),
        planned_finish=date(2026, 11, 20),
        estimate_hours=Decimal(40),
    )
    client.force_login(cast.users["customer_sponsor"])
    url = reverse("core:portal_project", args=[cast.own.pk])
    assert client.get(url).context["glance"].schedule.ev == Decimal(0)
    assert client.get(url).context["glance"].schedule.ev == Decimal(0)  # now from the cache
    clock.set(2026, 11, 20, 18)  # the fingerprint sees the change by its time (the clock is pinned here)
    services.task_update_progress(by=pm, task=task, progress=50)
    assert client.get(url).context["glance"].schedule.ev == Decimal(20)  # 40 h × 50 %


# --- Decisions waiting for the customer sponsor: troubles with options proposed, proposed change requests ---


def _decisions(cast, clock):
    """One trouble with options proposed (disclosed to customer and partners), one trouble still in analysis,
    one proposed change request, one draft change request, one approved change request."""
    from shinrai.ledger import services as ledger_services
    from shinrai.troubles import services as trouble_services

    clock.set(2026, 11, 20, 17)
    pm = cast.users["vendor_pm"]
    detected = datetime(2026, 11, 20, 9, 0, tzinfo=TOKYO)

    def trouble(title, propose):
        item = trouble_services.trouble_create(
            by=pm, project=cast.own, kind="issue", title=title, facts="事実", detected_at=detected
        )
        item = trouble_services.trouble_disclose(
            by=pm, trouble=item, version=item.version, visibility=Visibility.PARTNERS
        )
        trouble_services.option_add(by=pm, trouble=item, description="案A")
        if propose:
            item = trouble_services.trouble_propose(by=pm, trouble=item, version=item.version)
        return item

    waiting = trouble("帳票の文字化け", propose=True)
    trouble("検索が遅い", propose=False)

    def change(title, step):
        item = ledger_services.change_create(
            by=pm,
            project=cast.own,
            title=title,
            description="内容",
            reason="理由",
            cost_impact=100_000,
            schedule_impact_days=2,
        )
        if step in ("proposed", "approved"):
            item = ledger_services.change_propose(by=pm, change=item)
        if step == "approved":
            item = ledger_services.change_decide(by=cast.users["customer_sponsor"], change=item, approve=True)
        return item

    proposed = change("出荷予定表の追加", "proposed")
    change("下書きの変更", "draft")
    change("承認済みの変更", "approved")
    return waiting, proposed


def test_the_sponsor_is_asked_to_choose_and_to_approve(client, cast, clock):
    waiting, proposed = _decisions(cast, clock)
    response = _page(client, cast.users["customer_sponsor"], cast.own)
    glance = response.context["glance"]
    assert glance.troubles_to_decide == (waiting,)
    assert glance.changes_to_decide == (proposed,)
    assert glance.i_decide and glance.waiting
    html = response.content.decode()
    assert reverse("troubles:portal_detail", args=[cast.own.pk, waiting.pk]) in html
    assert "出荷予定表の追加" in html
    assert html.count('class="waiting-decision"') == 2 and "decision-info" not in html
    assert "検索が遅い" not in html and "下書きの変更" not in html and "承認済みの変更" not in html


def test_a_customer_member_sees_the_pending_decisions_as_information_only(client, cast, clock):
    waiting, proposed = _decisions(cast, clock)
    response = _page(client, cast.users["customer_member"], cast.own)
    glance = response.context["glance"]
    assert glance.troubles_to_decide == (waiting,) and glance.changes_to_decide == (proposed,)
    assert not glance.i_decide
    assert not glance.waiting  # nothing else is waiting (no review, no report) and the choices are not theirs
    html = response.content.decode()
    assert "帳票の文字化け" in html and "出荷予定表の追加" in html
    assert "waiting-decision" not in html and 'class="muted decision-info"' in html


def test_partners_and_other_customers_never_see_pending_decisions(client, cast, clock):
    _decisions(cast, clock)
    partner = _page(client, cast.users["partner_viewer"], cast.own)
    glance = partner.context["glance"]
    assert glance.troubles_to_decide == () and glance.changes_to_decide == () and not glance.waiting
    html = partner.content.decode()
    assert "出荷予定表の追加" not in html
    assert "waiting-decision" not in html and "decision-info" not in html  # shared trouble, not the choice
    outsider = portal_glance(user=cast.users["outsider_customer"], project=cast.own)
    assert outsider.troubles_to_decide == () and outsider.changes_to_decide == () and not outsider.waiting
    client.force_login(cast.users["outsider_customer"])
    assert client.get(reverse("core:portal_project", args=[cast.own.pk])).status_code == 404


def test_a_decided_trouble_and_change_no_longer_wait(client, cast, clock):
    from shinrai.ledger import services as ledger_services
    from shinrai.troubles import services as trouble_services

    waiting, proposed = _decisions(cast, clock)
    sponsor = cast.users["customer_sponsor"]
    trouble_services.trouble_decide(
        by=sponsor, trouble=waiting, option=waiting.options.get(), rationale="費用が少ないため"
    )
    ledger_services.change_decide(by=sponsor, change=proposed, approve=False, note="今回は見送り")
    glance = portal_glance(user=sponsor, project=cast.own)
    assert glance.troubles_to_decide == () and glance.changes_to_decide == ()
    assert not glance.waiting


def test_pending_decisions_add_no_queries_per_item(client, cast, clock, django_assert_max_num_queries):
    _decisions(cast, clock)
    _decisions(cast, clock)  # twice the data
    with django_assert_max_num_queries(9):
        glance = portal_glance(user=cast.users["customer_sponsor"], project=cast.own)
    assert len(glance.troubles_to_decide) == 2 and len(glance.changes_to_decide) == 2
