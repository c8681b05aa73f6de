"""`shinrai seed`: deterministic, the requested sizes, consistent data, only ever into an empty database."""

import hashlib
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from shinrai import seed as seeding
from shinrai.accounts.models import RelationshipSignal
from shinrai.core import access
from shinrai.core.models import AuditEvent, Organization, Project, ProjectMember, User
from shinrai.flows.models import BusinessFlow, FlowVersion, StepComment, StepRequirementLink
from shinrai.integrations.models import Notification
from shinrai.ledger.models import ChangeRequest, CustomerRequest, Entry
from shinrai.progress.models import Milestone, ReportAcknowledgement, ReportComment, Task, WeeklyReport
from shinrai.requirements.models import Baseline, Requirement
from shinrai.surveys.models import Response
from shinrai.troubles.models import Trouble

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=TOKYO)  # a Friday afternoon
TINY = seeding.SCALES["small"].but(
    customers=2, partners=1, projects=4, users=24, tasks_per_project=30, requirements_per_project=6
)


def digest() -> str:
    """A fingerprint of the generated data (ids, names, dates, states, texts)."""
    rows = [
        list(Organization.objects.order_by("pk").values_list("pk", "name", "kind")),
        list(User.objects.order_by("pk").values_list("pk", "email", "display_name", "organization_id")),
        list(Project.objects.order_by("pk").values_list("pk", "code", "name", "start_date", "end_date")),
        list(Task.objects.order_by("pk").values_list("pk", "parent_id", "name", "planned_start", "progress")),
        list(WeeklyReport.objects.order_by("pk").values_list("pk", "week_start", "published_at", "done")),
        list(Requirement.objects.order_by("pk").values_list("pk", "number", "text", "status")),
        list(Trouble.objects.order_by("pk").values_list("pk", "detected_at", "disclosed_at", "found_by")),
        list(Response.objects.order_by("pk").values_list("pk", "submitted_at", "score_overall", "nps")),
        list(RelationshipSignal.objects.order_by("pk").values_list("pk", "kind", "occurred_on")),
        list(
            Entry.objects.order_by("pk").values_list("pk", "project_id", "seq", "kind", "created_at", "hash")
        ),
        list(CustomerRequest.objects.order_by("pk").values_list("pk", "due_at", "status", "answered_at")),
        list(ChangeRequest.objects.order_by("pk").values_list("pk", "title", "cost_impact", "status")),
        list(BusinessFlow.objects.order_by("pk").values_list("pk", "title", "current_version_id")),
        list(FlowVersion.objects.order_by("pk").values_list("pk", "number", "sha256", "uploaded_at")),
        list(StepRequirementLink.objects.order_by("pk").values_list("pk", "element_id", "requirement_id")),
        list(StepComment.objects.order_by("pk").values_list("pk", "element_id", "author_id", "created_at")),
        list(
            Notification.objects.order_by("pk").values_list("pk", "user_id", "title", "created_at", "read_at")
        ),
        AuditEvent.objects.count(),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def seed_and_forget(**kwargs) -> str:
    """Seed inside a savepoint, take the digest, roll back: the database is empty again."""
    with transaction.atomic():
        seeding.seed(TINY, now=NOW, out=StringIO(), **kwargs)
        value = digest()
        transaction.set_rollback(True)
    return value


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    first = seed_and_forget(seed=7)
    assert seeding.database_is_empty()
    assert seed_and_forget(seed=7) == first
    assert seed_and_forget(seed=8) != first


@pytest.fixture
def seeded(db):
    return seeding.seed(TINY, seed=3, now=NOW, out=StringIO())


def test_sizes_follow_the_scale(seeded):
    assert Project.objects.count() == 4
    assert User.objects.count() == 24
    kinds = sorted(Organization.objects.values_list("kind", flat=True))
    assert kinds == ["customer", "customer", "partner", "vendor"]  # a second vendor only from 20 projects
    for project in Project.objects.all():
        tasks = Task.objects.filter(project=project).count()
        assert 0.5 * 30 <= tasks <= 1.6 * 30, (project.code, tasks)
        assert 4 <= Milestone.objects.filter(project=project).count() <= 8
        assert 0.6 * 6 - 1 <= Requirement.objects.filter(project=project).count() <= 1.4 * 6 + 1
    assert seeded.counts["progress.Task"] == Task.objects.count()
    assert seeded.logins["vendor PM"] == "pm001@shinrai-systems.example.jp"


def test_the_wbs_is_three_levels_deep(seeded):
    parents = dict(Task.objects.values_list("pk", "parent_id"))

    def depth(pk):
        return 0 if parents[pk] is None else 1 + depth(parents[pk])

    assert {depth(pk) for pk in parents} == {0, 1, 2}
    with_children = set(parents.values()) - {None}
    assert all(depth(pk) == 2 for pk in parents if pk not in with_children)  # every leaf at level 3


def test_members_fit_their_organizations_and_everyone_shares_one_password(seeded):
    for member in ProjectMember.objects.select_related("user__organization", "project"):
        assert access.role_in(member.user, member.project) == member.role
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    assert User.objects.get(email=seeded.logins["customer sponsor"]).check_password(seeded.password)


def test_sub_tasks_are_never_shared_more_widely_than_their_parent(seeded):
    breadth = {"internal": 0, "customer": 1, "partners": 2}
    for task in Task.objects.filter(parent__isnull=False).select_related("parent"):
        assert breadth[task.visibility] <= breadth[task.parent.visibility]


def test_schedules_and_reports_are_plausible(seeded):
    today = NOW.date()
    for task in Task.objects.filter(parent__isnull=False, children__isnull=True):
        assert task.planned_start.weekday() < 5 and task.planned_finish.weekday() < 5
        if task.status == "done":
            assert task.completed_at <= NOW
        if task.planned_start > today:
            assert task.status == "not_started" and task.progress == 0
    assert Task.objects.filter(status="done").exists() and Task.objects.filter(status="in_progress").exists()
    assert Milestone.objects.exclude(forecast_date=F("baseline_date")).exists()  # some slipped
    for report in WeeklyReport.objects.all():
        assert report.week_start.weekday() == 0
        if report.published_at:
            assert report.published_at <= NOW
    published = WeeklyReport.objects.filter(state="published")
    late = [r for r in published if r.published_at > deadline(r.week_start)]
    assert published.count() > 0 and len(late) < published.count() / 2
    for ack in ReportAcknowledgement.objects.select_related("report"):
        assert ack.report.published_at <= ack.at <= NOW
    for answer in ReportComment.objects.filter(parent__isnull=False).select_related("parent"):
        assert answer.parent.created_at < answer.created_at
    assert Baseline.objects.exists()


def deadline(week_start):
    return datetime.combine(week_start + timedelta(days=7), datetime.min.time(), tzinfo=TOKYO) + timedelta(
        hours=12
    )


def test_the_pages_open_on_the_generated_data(client, seeded):
    pm = User.objects.get(email=seeded.logins["vendor PM"])
    project = Project.objects.filter(members__user=pm).order_by("pk").first()
    client.force_login(pm)
    for url in (
        reverse("core:project_home", args=[project.pk]),
        reverse("progress:wbs", args=[project.pk]),
        reverse("reports:list", args=[project.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_report_draft_reads_the_audit_events_of_the_week(seeded):
    """task.progress events of the current week are there, shaped as the services write them."""
    week_start = datetime.combine(
        NOW.date() - timedelta(days=NOW.weekday()), datetime.min.time(), tzinfo=TOKYO
    )
    events = AuditEvent.objects.filter(action="task.progress", at__gte=week_start)
    assert events.exists()
    assert all("progress" in event.before and "progress" in event.after for event in events)


def test_it_refuses_a_database_that_holds_data(cast):
    with pytest.raises(seeding.SeedRefused):
        seeding.seed(TINY, out=StringIO())
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed", "--scale", "small", stdout=StringIO())
    assert Project.objects.count() == 3  # the cast's, nothing added


def test_the_command_prints_the_logins(db, monkeypatch):
    monkeypatch.setitem(seeding.SCALES, "small", TINY)
    out = StringIO()
    call_command("seed", "--scale", "small", "--seed", "2", stdout=out)
    text = out.getvalue()
    assert "Seeded scale small" in text
    assert "pm001@shinrai-systems.example.jp" in text and seeding.PASSWORD in text
    assert Project.objects.count() == 4


def test_troubles_are_disclosed_after_detection_and_some_found_by_the_customer(seeded):
    from shinrai.troubles.models import Trouble

    troubles = list(Trouble.objects.all())
    assert troubles
    assert seeded.counts["troubles.Trouble"] == len(troubles)
    for trouble in troubles:
        assert trouble.detected_at <= NOW
        if trouble.disclosed_at is None:
            assert trouble.visibility == "internal"
        else:
            assert trouble.disclosed_at >= trouble.detected_at
    assert {t.kind for t in troubles} == {"risk", "issue", "incident"}


def test_survey_responses_carry_the_scores_of_their_answers(seeded):
    from shinrai.surveys import scoring
    from shinrai.surveys.models import Response, Survey

    responses = list(Response.objects.prefetch_related("answers__question"))
    assert responses, "every project with reached milestones has pulse surveys"
    for response in responses:
        answers = [
            scoring.ScoredAnswer(a.question.category, a.question.facet, a.question.kind, a.score)
            for a in response.answers.all()
        ]
        expected = scoring.response_scores(answers)
        assert {field: getattr(response, field) for field in expected} == expected
        if response.survey.anonymous:
            assert response.invitation_id is None and response.respondent_id is None
    for survey in Survey.objects.all():
        assert survey.invited_count == survey.invitations.count()
        assert survey.response_count == survey.responses.count()


def test_every_project_says_how_it_was_won(seeded):
    from shinrai.accounts.models import RelationshipSignal

    for project in Project.objects.all():
        kinds = set(RelationshipSignal.objects.filter(project=project).values_list("kind", flat=True))
        assert kinds & {"won_without_competition", "won_in_competition"}, project.code
        assert kinds & {"consulted_before_rfp", "learned_from_rfp"}, project.code
    assert RelationshipSignal.objects.filter(kind="meeting", occurred_on__gt=NOW.date()).count() == 0


def test_every_ledger_chain_verifies(seeded):
    """`shinrai verify-ledger` passes on the seeded data, and fails once a seeded entry is changed."""
    out = StringIO()
    call_command("verify-ledger", stdout=out, stderr=StringIO())
    assert "Every ledger chain is intact." in out.getvalue()
    for project in Project.objects.all():
        entries = Entry.objects.filter(project=project).count()
        assert f"{project.code}: OK ({entries} entries)" in out.getvalue() or entries == 0
        if project.start_date <= NOW.date() - timedelta(weeks=8):
            assert 5 <= entries <= 50, (project.code, entries)
    assert seeded.counts["ledger.Entry"] == Entry.objects.count() > 0
    # The check is real: a changed subject breaks the chain (raw SQL: the ORM refuses to change an entry).
    entry = Entry.objects.order_by("pk")[3]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Entry._meta.db_table} SET subject = %s WHERE id = %s", ["書き換え", entry.pk]
        )
        with pytest.raises(CommandError, match="Ledger broken"):
            call_command("verify-ledger", stdout=StringIO(), stderr=StringIO())
        transaction.set_rollback(True)


def test_the_ledger_holds_requests_changes_and_agreements_in_time_order(seeded):
    from shinrai.ledger.selectors import contract_value

    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert {"agreement", "decision", "sign_off", "customer_request", "change_request"} <= kinds
    for project in Project.objects.all():
        times = list(
            Entry.objects.filter(project=project).order_by("seq").values_list("created_at", flat=True)
        )
        assert times == sorted(times) and all(at <= NOW for at in times), project.code
        value = contract_value(project)
        for change in value.approved:  # the contract value moved by each approved change, in order
            assert change.value_after == change.running_value, change.title
    requests = list(CustomerRequest.objects.all())
    assert {r.status for r in requests} >= {"answered", "closed"}
    assert any(r.answered_late for r in requests) and any(
        r.answered_at and not r.answered_late for r in requests
    )
    waiting = [r for r in requests if r.answered_at is None and r.status != "closed"]
    assert waiting, "running projects have requests still waiting for an answer"
    for request in requests:
        assert request.created_at <= NOW and request.created_at < request.due_at
        steps = Entry.objects.filter(project=request.project_id, payload__request_id=request.pk)
        assert steps.filter(payload__step="asked").count() == 1
        assert steps.filter(payload__step="answered").exists() == (request.answered_at is not None)
    changes = list(ChangeRequest.objects.all())
    assert {"approved", "rejected"} <= {c.status for c in changes}
    assert all(c.cost_impact == int(c.cost_impact) and c.cost_impact % 10_000 == 0 for c in changes)
    for change in changes:
        proposed = Entry.objects.filter(payload__change_request_id=change.pk, payload__step="proposed")
        assert proposed.exists() == (change.proposed_at is not None)
        if change.status == "approved":
            approval = Entry.objects.get(payload__change_request_id=change.pk, payload__step="approved")
            assert approval.payload["contract_value_after"] == change.value_after


def test_flows_are_uploaded_drawn_and_linked_like_uploads(seeded):
    from shinrai.flows.bpmn import parse
    from shinrai.flows.bpmn.render import render_svg

    flows = list(BusinessFlow.objects.select_related("current_version"))
    assert flows, "projects 0, 3, 6 … have flows"
    assert {flow.project_id for flow in flows} <= set(Project.objects.values_list("pk", flat=True))
    for flow in flows:
        versions = list(flow.versions.order_by("number"))
        assert [v.number for v in versions] == list(range(1, len(versions) + 1)) and len(versions) <= 3
        assert flow.current_version == versions[-1]
        for version in versions:
            data = bytes(version.source)
            assert hashlib.sha256(data).hexdigest() == version.sha256
            model = parse(data)
            assert [d.svg for d in version.diagrams.order_by("index")] == [
                render_svg(model, i) for i in range(len(model.diagrams))
            ]
            assert list(version.steps.values_list("element_id", flat=True)) == [e.id for e in model.steps()]
            assert version.uploaded_at <= NOW and version.uploaded_at >= flow.created_at
        steps = set(flow.current_version.steps.values_list("element_id", flat=True))
        for link in flow.links.select_related("requirement"):
            assert link.element_id in steps and link.requirement.project_id == flow.project_id
            assert link.requirement.visibility != "internal"
        assert set(flow.comments.values_list("element_id", flat=True)) <= steps
    assert StepRequirementLink.objects.exists() and StepComment.objects.exists()
    assert FlowVersion.objects.filter(number__gt=1).exists()


def test_notifications_tell_members_what_happened_recently(seeded):
    from django.urls import resolve

    notes = list(Notification.objects.select_related("project"))
    assert {n.event for n in notes} >= {"report_published", "trouble_disclosed", "request_due"}
    roles = {(m.project_id, m.user_id): m.role for m in ProjectMember.objects.all()}
    expected = {
        "report_published": {"customer_sponsor", "customer_member"},
        "trouble_disclosed": {"customer_sponsor", "customer_member", "partner_viewer"},
        "decision_needed": {"customer_sponsor"},
        "request_due": {"vendor_pm"},
    }
    for note in notes:
        assert roles[(note.project_id, note.user_id)] in expected[note.event], note.title
        assert NOW - timedelta(weeks=8) <= note.created_at <= NOW
        assert note.read_at is None or note.created_at <= note.read_at <= NOW
        assert resolve(note.url).kwargs["pk"] == note.project_id
    assert any(n.read_at is None for n in notes) and any(n.read_at for n in notes)
    assert any(n.title.startswith("週次報告") for n in notes)  # in the people's language, Japanese
    # The seed writes the daily job's record with each due notice, so the job tells nobody twice a day.
    from collections import Counter

    from shinrai.integrations import notifications

    day = NOW.date().isoformat()
    notices = AuditEvent.objects.filter(action="customer_request.due_notice", after__day=day)
    assert notices.exists(), "requests due within two business days of NOW were notified this morning"
    notifications.due_requests_notify(now=NOW)
    assert set(Counter(notices.values_list("object_id", flat=True)).values()) == {1}


def test_the_new_pages_open_on_the_generated_data(client, seeded):
    flow = BusinessFlow.objects.filter(visibility="customer").order_by("pk").first()
    project = flow.project
    pm = User.objects.get(memberships__project=project, memberships__role="vendor_pm")
    sponsor = User.objects.filter(memberships__project=project, memberships__role="customer_sponsor").first()
    client.force_login(pm)
    for url in (
        reverse("flows:list", args=[project.pk]),
        reverse("flows:detail", args=[project.pk, flow.pk]),
        reverse("ledger:index", args=[project.pk]),
        reverse("ledger:requests", args=[project.pk]),
        reverse("ledger:changes", args=[project.pk]),
        reverse("integrations:notifications"),
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(sponsor)
    for url in (reverse("ledger:portal", args=[project.pk]), reverse("integrations:notifications")):
        response = client.get(url)
        assert response.status_code == 200, url
