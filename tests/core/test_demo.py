"""The demo data: idempotent, and every demo login lands on the right home page."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from shinrai.core.demo import DEMO_PASSWORD, USERS, load_demo
from shinrai.core.models import AuditEvent, Organization, Project, ProjectMember, User
from shinrai.ledger.models import ChangeRequest, CustomerRequest, Entry
from shinrai.ledger.selectors import chain_state, contract_value
from shinrai.progress import workdays
from shinrai.progress.models import Milestone, Task, WeeklyReport
from shinrai.troubles.models import Trouble


def test_demo_is_idempotent(db):
    first = load_demo()
    counts = (
        Organization.objects.count(),
        User.objects.count(),
        Project.objects.count(),
        ProjectMember.objects.count(),
        AuditEvent.objects.count(),
        Milestone.objects.count(),
        Task.objects.count(),
        WeeklyReport.objects.count(),
        Entry.objects.count(),
    )
    second = load_demo()
    assert first == {
        "organizations": 5,
        "users": 12,
        "projects": 6,
        "milestones": 12,
        "tasks": 52,
        "reports": 58,
        "troubles": 4,
        "customer_requests": 2,
        "change_requests": 2,
        "signals": 14,
        "account_plans": 2,
        "surveys": 5,
        "survey_responses": 17,
    }
    assert second == {
        "organizations": 0,
        "users": 0,
        "projects": 0,
        "milestones": 0,
        "tasks": 0,
        "reports": 0,
        "troubles": 0,
        "customer_requests": 0,
        "change_requests": 0,
        "signals": 0,
        "account_plans": 0,
        "surveys": 0,
        "survey_responses": 0,
    }
    assert counts == (
        Organization.objects.count(),
        User.objects.count(),
        Project.objects.count(),
        ProjectMember.objects.count(),
        AuditEvent.objects.count(),
        Milestone.objects.count(),
        Task.objects.count(),
        WeeklyReport.objects.count(),
        Entry.objects.count(),
    )


@pytest.mark.parametrize("code", ["YMD-2026-01", "MDR-2026-01"])
def test_demo_plans_have_milestones_one_honest_slip_and_a_wbs_on_business_days(db, code):
    load_demo()
    project = Project.objects.get(code=code)
    assert 4 <= Milestone.objects.filter(project=project).count() <= 6
    [slip] = AuditEvent.objects.filter(project=project, action="milestone.reforecast")
    assert 1 <= slip.after["slip_business_days"] <= 4
    assert slip.after["reason"]
    tasks = list(Task.objects.filter(project=project))
    assert 20 <= len(tasks) <= 30
    parents = {task.parent_id for task in tasks}
    leaves = [task for task in tasks if task.pk not in parents]
    for task in leaves:
        assert workdays.is_business_day(task.planned_start), task.name
        assert workdays.is_business_day(task.planned_finish), task.name
        assert task.owner is not None and task.estimate_hours > 0, task.name
    assert any(task.status == "done" for task in leaves)
    assert any(task.status == "in_progress" for task in leaves)
    assert any(task.visibility == "internal" for task in leaves)


def test_demo_has_three_customers_a_partner_and_six_phases(db):
    load_demo()
    kinds = sorted(Organization.objects.values_list("kind", flat=True))
    assert kinds == ["customer", "customer", "customer", "partner", "vendor"]
    assert Project.objects.values("phase").distinct().count() == 6


@pytest.mark.parametrize("demo_user", USERS, ids=lambda u: u.email)
def test_every_demo_login_lands_on_its_home(client, db, demo_user):
    load_demo()
    response = client.post(
        reverse("login"), {"username": demo_user.email, "password": DEMO_PASSWORD}, follow=True
    )
    final_path = response.redirect_chain[-1][0]
    vendor = demo_user.email.endswith("@sample-systems.example.jp")
    assert final_path == (reverse("core:portfolio") if vendor else reverse("core:portal"))
    assert response.status_code == 200


def test_demo_command_prints_the_logins(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert all(user.email in out for user in USERS)


def test_demo_has_a_published_weekly_report_for_ymd_last_week(db):
    load_demo()
    [report] = WeeklyReport.objects.filter(project__code="YMD-2026-01", week_start="2026-11-16")
    assert report.state == WeeklyReport.State.PUBLISHED and report.version == 1
    assert report.published_by.email == "pm@sample-systems.example.jp"
    assert report.done and report.next_action


def test_demo_troubles_and_ledger_tell_the_story(db):
    load_demo()
    project = Project.objects.get(code="YMD-2026-01")
    troubles = {t.kind: t for t in Trouble.objects.filter(project=project)}
    incident, issue, risk = troubles["incident"], troubles["issue"], troubles["risk"]
    # (a) closed incident, disclosed 3 h 15 min after detection, three options, decided by the sponsor
    assert incident.status == Trouble.Status.CLOSED and incident.hours_to_disclose == 3.3
    assert incident.options.count() == 3
    assert incident.decision.decided_by.email == "sponsor@yamada-mfg.example.jp"
    assert incident.follow_ups.count() == 2 and not incident.follow_ups.filter(done_at=None).exists()
    assert len(incident.root_cause.whys) == 5 and incident.preventions.count() == 2
    # (b) disclosed issue waiting for the choice; (c) vendor-only risk
    assert (
        issue.status == Trouble.Status.OPTIONS_PROPOSED and issue.is_disclosed and issue.options.count() == 3
    )
    assert risk.visibility == "internal" and risk.disclosed_at is None
    for trouble in (incident, issue, risk):
        assert trouble.detected_at < timezone.now()
        assert trouble.disclosed_at is None or trouble.detected_at < trouble.disclosed_at < timezone.now()
    # (d) one request answered on time, one open and due in the future; one change approved, one proposed
    requests = list(CustomerRequest.objects.filter(project=project).order_by("id"))
    assert [r.status for r in requests] == ["answered", "open"]
    assert requests[0].answered_at <= requests[0].due_at and requests[1].due_at > timezone.now()
    changes = list(ChangeRequest.objects.filter(project=project).order_by("id"))
    assert [c.status for c in changes] == ["approved", "proposed"]
    assert contract_value(project).current == 48_000_000 + 1_200_000
    kinds = list(Entry.objects.filter(project=project).order_by("seq").values_list("kind", flat=True))
    # decision; request asked, acknowledged, answered, asked; change proposed, approved, proposed
    assert kinds.count("decision") == 1 and kinds.count("customer_request") == 4
    assert kinds.count("change_request") == 3
    assert chain_state(project).ok


def test_demo_survey_history_is_in_the_past_and_scored(db):
    from shinrai.surveys.models import Response, Survey

    load_demo()
    surveys = list(Survey.objects.order_by("sent_at"))
    assert [s.sent_at.date().isoformat()[:7] for s in surveys][:1] == ["2025-12"]
    for survey in surveys:
        assert survey.status == "closed"
        assert survey.response_count == Response.objects.filter(survey=survey).count() > 0
        assert survey.sent_at < timezone.now()
    latest = Survey.objects.filter(project__code="MDR-2026-01").order_by("-sent_at").first()
    emotional = sorted(Response.objects.filter(survey=latest).values_list("score_emotional", flat=True))
    assert max(emotional) <= 3  # the retailer's latest pulse: the feelings have fallen


def test_demo_report_punctuality_differs_between_the_partner_and_the_drifting_account(db):
    """YMD publishes every Friday; MDR was late four times and missed one week this autumn."""
    from shinrai.core.selectors import portfolio_rows

    load_demo()
    manager = User.objects.get(email="manager@sample-systems.example.jp")
    now = timezone.make_aware(timezone.datetime(2026, 11, 24, 9, 0))
    rows = {row.project.code: row for row in portfolio_rows(user=manager, now=now)}
    assert (rows["YMD-2026-01"].on_time_weeks, rows["YMD-2026-01"].due_weeks) == (8, 8)
    # The 8 due weeks 9/28 … 11/16: 10/5, 10/19, 11/9, 11/16 late, 11/2 missing.
    assert (rows["MDR-2026-01"].on_time_weeks, rows["MDR-2026-01"].due_weeks) == (3, 8)
