"""Every main page and API list takes as many SQL queries on medium data as on small data.

The seed generator (``shinrai.seed``) fills the database twice, once per size (the medium data has 3× the
projects and users and 4× the tasks per project), each time inside a transaction that is rolled back once the
pages are counted; seeding is the slow part, so it happens once per size for the whole module, and each test
compares one page's counts. A page is counted three times: cache empty and the trust indicators' rows not
stored yet (charts drawn, boards gathered), from the cache, and cache empty with the rows stored.

Project pages are counted on the smallest project of the small data and the biggest of the medium data. A
project's history follows its age whatever the scale, so the small one is cut down to a few recent weeks of
reports, a few troubles, customer and change requests and notifications, and more is added through the
services (business flows, step links and comments on the counted flow, customer and change requests,
questions on the counted report): every list a page shows is several times longer on the medium data
(``test_the_medium_data_is_bigger…``): a query per row changes the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shinrai import seed as seeding
from shinrai.accounts import trust_cache
from shinrai.accounts.models import ProjectIndicators
from shinrai.core import middleware as core_middleware
from shinrai.core.models import Project, ProjectMember, Role, User
from shinrai.flows import services as flow_services
from shinrai.ledger import services as ledger_services
from shinrai.progress import report_services
from shinrai.progress.models import ReportComment, WeeklyReport
from shinrai.surveys import services as survey_services
from shinrai.surveys.models import Response, Survey, SurveyTemplate
from tests.caches import clear_caches

SMALL = seeding.SCALES["small"].but(
    customers=2, partners=1, projects=4, users=24, tasks_per_project=40, requirements_per_project=6
)
MEDIUM = seeding.SCALES["small"].but(
    customers=3, partners=1, projects=12, users=60, tasks_per_project=160, requirements_per_project=24
)
# The marker makes pytest-django create the test database, which the module fixture below fills.
pytestmark = pytest.mark.django_db

FLOW_FILE = Path(flow_services.__file__).parent / "demo" / "order_to_ship_v1.bpmn"
FLOWS = {"small": 1, "medium": 4}  # flows uploaded on top of the seeded ones (the last one is counted) …
LINKS = {"small": 1, "medium": 6}  # … with as many of its steps linked to requirements and commented on
LEDGER = {"small": 1, "medium": 4}  # customer requests and change requests added to the seeded ones
RECORDS = {"small": 0, "medium": 60}  # agreements recorded: more than any seeded project's whole ledger
QUESTIONS = {"small": 0, "medium": 3}  # questions (each answered) added to the counted report
SURVEY_ANSWERS = {"small": 0, "medium": 8}  # answers to a survey round sent on the counted project
SMALL_WEEKS, SMALL_TROUBLES = 4, 4  # what the small project keeps of its history …
SMALL_REQUESTS, SMALL_NOTIFICATIONS = 1, 3  # … of its seeded requests of each kind, and of each notice list

#: (name, who, URL). ``who``: pm, manager (vendor manager) or sponsor (customer sponsor); the URL is
#: formatted with the subject's fields.
PAGES = [
    ("portfolio (vendor manager)", "manager", "/portfolio/"),
    ("portfolio (vendor PM)", "pm", "/portfolio/"),
    ("project home", "pm", "/projects/{project}/"),
    ("WBS", "pm", "/projects/{project}/wbs/"),
    ("Gantt by week", "pm", "/projects/{project}/gantt/?zoom=week"),
    ("Gantt by month", "pm", "/projects/{project}/gantt/?zoom=month"),
    ("progress charts", "pm", "/projects/{project}/progress-charts/"),
    ("weekly reports (vendor PM)", "pm", "/projects/{project}/reports/"),
    ("weekly reports (vendor manager)", "manager", "/projects/{project}/reports/"),
    ("weekly report draft", "pm", "/projects/{project}/reports/{draft}/edit/"),
    ("trouble register", "pm", "/projects/{project}/troubles/"),
    ("requirements", "pm", "/projects/{project}/requirements/"),
    ("customer requests", "pm", "/projects/{project}/requests/"),
    ("change requests", "pm", "/projects/{project}/changes/"),
    ("ledger", "pm", "/projects/{project}/ledger/"),
    ("flows", "pm", "/projects/{project}/flows/"),
    ("flow", "pm", "/projects/{project}/flows/{flow}/"),
    ("flow gaps", "pm", "/projects/{project}/flows/gaps/"),
    ("notifications (vendor PM)", "pm", "/notifications/"),
    ("notifications (customer sponsor)", "sponsor", "/notifications/"),
    ("trust dashboard", "manager", "/trust/"),
    ("project trust", "pm", "/projects/{project}/trust/"),
    ("accounts", "manager", "/customers/"),
    ("survey results (project)", "pm", "/projects/{project}/surveys/results/"),
    ("survey results (account)", "manager", "/customers/{customer}/surveys/results/"),
    ("survey results (all projects)", "manager", "/surveys/results/"),
    ("portal home", "sponsor", "/portal/"),
    ("portal project", "sponsor", "/portal/projects/{project}/"),
    ("portal schedule", "sponsor", "/portal/projects/{project}/schedule/"),
    ("portal weekly reports", "sponsor", "/portal/projects/{project}/reports/"),
    ("portal weekly report", "sponsor", "/portal/projects/{project}/reports/{published}/"),
    ("portal troubles", "sponsor", "/portal/projects/{project}/troubles/"),
    ("portal requirements", "sponsor", "/portal/projects/{project}/requirements/"),
    ("portal ledger", "sponsor", "/portal/projects/{project}/ledger/"),
]
API = "/api/v1"
API_LISTS = [
    ("API projects", "pm", API + "/projects/"),
    ("API members", "pm", API + "/projects/{project}/members"),
    ("API tasks (vendor PM)", "pm", API + "/projects/{project}/tasks"),
    ("API tasks (customer sponsor)", "sponsor", API + "/projects/{project}/tasks"),
    ("API milestones", "pm", API + "/projects/{project}/milestones"),
    ("API weekly reports", "pm", API + "/projects/{project}/reports"),
    ("API report comments", "sponsor", API + "/reports/{published}/comments"),
    ("API troubles", "pm", API + "/projects/{project}/troubles"),
    ("API requirements", "pm", API + "/projects/{project}/requirements"),
    ("API customer requests", "pm", API + "/projects/{project}/customer-requests"),
    ("API change requests", "pm", API + "/projects/{project}/change-requests"),
    ("API ledger", "pm", API + "/projects/{project}/ledger"),
    ("API surveys", "pm", API + "/projects/{project}/surveys"),
    ("API flows", "pm", API + "/projects/{project}/flows"),
    ("API flow links", "pm", API + "/flows/{flow}/links"),
    ("API notifications (customer sponsor)", "sponsor", API + "/notifications"),
    ("API trust", "manager", API + "/trust"),
    ("API accounts", "manager", API + "/accounts/"),
]
ALL = PAGES + API_LISTS


@dataclass(frozen=True)
class Subject:
    """The project whose pages are counted, the people who open them and what it holds."""

    project: int
    customer: int
    draft: int
    published: int  # a published report with questions
    flow: int  # a flow with links and comments
    pm: int
    sponsor: int
    manager: int
    sizes: dict


def _subject(size: str) -> Subject:
    """The project whose pages are counted, with a draft and a questioned published report and a sponsor:
    the biggest (by tasks) of the medium data, and the smallest of the small data cut down further to a few
    recent reports and troubles (a project's history follows its age, whatever the scale)."""
    drafts = WeeklyReport.objects.filter(project=OuterRef("pk"), state=WeeklyReport.State.DRAFT)
    questioned = ReportComment.objects.filter(report__project=OuterRef("pk"), parent=None)
    project = (
        Project.objects.filter(Exists(drafts), Exists(questioned), members__role=Role.CUSTOMER_SPONSOR)
        .annotate(n=Count("tasks", distinct=True))
        .order_by("n" if size == "small" else "-n", "pk")
        .first()
    )
    assert project is not None, f"the {size} data has no project with a draft and a questioned report"
    reports = WeeklyReport.objects.filter(project=project)
    draft = reports.filter(state=WeeklyReport.State.DRAFT).order_by("-week_start").first()
    published = (
        reports.filter(state=WeeklyReport.State.PUBLISHED)
        .annotate(questions=Count("comments", filter=Q(comments__parent=None)))
        .filter(questions__gt=0)
        .order_by("questions" if size == "small" else "-questions", "-week_start")
        .first()
    )
    if size == "small":
        weeks = reports.order_by("-week_start").values_list("week_start", flat=True).distinct()
        keep = {*weeks[:SMALL_WEEKS], draft.week_start, published.week_start}  # whole weeks: with corrections
        # One by one, newest version first: a correction protects the version it corrects.
        for report in reports.exclude(week_start__in=keep).order_by(F("version").desc(nulls_first=True)):
            report.delete()
        troubles = project.troubles.order_by("-pk").values_list("pk", flat=True)[:SMALL_TROUBLES]
        project.troubles.exclude(pk__in=list(troubles)).delete()
        for requests in (project.customer_requests, project.change_requests):
            requests.exclude(
                pk__in=list(requests.order_by("pk").values_list("pk", flat=True)[:SMALL_REQUESTS])
            ).delete()
    member = {m.role: m.user_id for m in ProjectMember.objects.filter(project=project)}
    pm = User.objects.get(pk=member[Role.VENDOR_PM])
    manager = User.objects.filter(organization=project.vendor_org_id, is_vendor_manager=True).order_by("pk")
    sponsor = User.objects.get(pk=member[Role.CUSTOMER_SPONSOR])
    if size == "small":
        for person in (pm, sponsor):
            kept = person.notifications.order_by("-created_at").values_list("pk", flat=True)[
                :SMALL_NOTIFICATIONS
            ]
            person.notifications.exclude(pk__in=list(kept)).delete()
    for i in range(QUESTIONS[size]):
        question = report_services.report_comment(by=sponsor, report=published, body=f"質問{i}")
        report_services.report_comment(by=pm, report=published, body=f"回答{i}", parent=question)
    for i in range(LEDGER[size]):
        asked = ledger_services.request_create(
            by=sponsor, project=project, title=f"依頼{i}", due_at=timezone.now() + timedelta(days=7)
        )
        if i % 2:
            ledger_services.request_answer(by=pm, request=asked, answer=f"回答{i}")
        ledger_services.change_create(
            by=pm,
            project=project,
            title=f"変更{i}",
            description="画面を追加する。",
            reason="顧客の要望",
            cost_impact=100000,
            schedule_impact_days=5,
        )
    for i in range(RECORDS[size]):
        ledger_services.record_entry(by=pm, project=project, kind="agreement", subject=f"合意{i}")
    if SURVEY_ANSWERS[size]:
        _answer_a_survey(project, pm, SURVEY_ANSWERS[size])
    for i in range(FLOWS[size]):
        flow = flow_services.flow_create(
            by=pm,
            project=project,
            title=f"業務フロー{i}",
            data=FLOW_FILE.read_bytes(),
            filename=FLOW_FILE.name,
        )
    steps = flow.current_version.steps.order_by("position").values_list("element_id", flat=True)
    requirements = project.requirements.filter(visibility="customer").order_by("number")
    for element_id, requirement in zip(steps[: LINKS[size]], requirements, strict=False):
        flow_services.link_add(by=pm, flow=flow, element_id=element_id, requirement=requirement)
        flow_services.comment_add(by=sponsor, flow=flow, element_id=element_id, body="確認しました。")
    sizes = {
        "projects": Project.objects.count(),
        "tasks": project.n,
        "reports": reports.count(),
        "troubles": project.troubles.count(),
        "requirements": project.requirements.count(),
        "flows": project.flows.count(),
        "links of the flow": flow.links.count(),
        "comments on the flow": flow.comments.count(),
        "ledger entries": project.ledger_entries.count(),
        "notifications of the PM": pm.notifications.count(),
        "notifications of the sponsor": sponsor.notifications.count(),
        "customer requests": project.customer_requests.count(),
        "change requests": project.change_requests.count(),
        "questions": published.comments.count(),
        "survey responses": Response.objects.filter(survey__project=project).count(),
        "survey responses of the account": Response.objects.filter(
            survey__project__customer_org=project.customer_org_id
        ).count(),
        "survey responses of the vendor": Response.objects.filter(
            survey__project__vendor_org=project.vendor_org_id
        ).count(),
    }
    return Subject(
        project.pk,
        project.customer_org_id,
        draft.pk,
        published.pk,
        flow.pk,
        pm.pk,
        sponsor.pk,
        manager[0].pk,
        sizes,
    )


def _answer_a_survey(project: Project, pm: User, answers: int) -> None:
    """A round of the shipped survey sent to ``answers`` people, each of whom answers every question."""
    template = SurveyTemplate.objects.filter(vendor_org=None, is_current=True).order_by("pk").first()
    survey = survey_services.survey_send(
        by=pm,
        project=project,
        template=template,
        kind=Survey.Kind.PULSE,
        title="追加アンケート",
        answer_until=timezone.localdate() + timedelta(days=7),
        extra_emails=[f"answer{i}@example.jp" for i in range(answers)],
    )
    questions = list(template.questions.all())
    for i, invitation in enumerate(survey.invitations.order_by("pk")):
        raw = {
            q.code: f"意見{i}" if q.kind == "text" else (i + n) % (5 if q.kind == "likert" else 10) + 1
            for n, q in enumerate(questions)
        }
        response, errors = survey_services.response_submit(
            invitation=invitation, questions=questions, raw=raw
        )
        assert response is not None, errors


def _count(subject: Subject) -> dict[str, tuple[int, int, int]]:
    """Queries of every page and API list: cache empty (and the trust indicators' rows not stored yet), from
    the cache, and cache empty again (the trust indicators' rows stored by then)."""
    clients = {}
    for who in ("pm", "sponsor", "manager"):
        clients[who] = Client(HTTP_X_FORWARDED_PROTO="https")
        clients[who].force_login(User.objects.get(pk=getattr(subject, who)))
    found = {}
    for name, who, path in ALL:
        url = path.format(**subject.__dict__)
        counts = []
        for clear in (True, False, True):
            if clear:
                clear_caches()
            with CaptureQueriesContext(connection) as queries:
                response = clients[who].get(url)
            assert response.status_code == 200, f"{url} answered {response.status_code} to the {who}"
            counts.append(len(queries))
        found[name] = tuple(counts)
        ProjectIndicators.objects.all().delete()  # the next page starts without them again
    return found


def _as_if_committed() -> None:
    """What a commit does for the trust indicators of the projects written to in _subject: their rows may be
    stored again (the writes' on-commit drops wait in the fixture's transaction, which never commits)."""
    connection.run_on_commit = [
        entry for entry in connection.run_on_commit if not isinstance(entry[1], trust_cache._DropAfterCommit)
    ]


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, tuple[Subject, dict]]:
    """Per size: the subject and the query counts; the database is empty again afterwards."""
    found = {}
    # The session middleware writes the session once a minute of requests; counting the medium data takes
    # longer than that on a busy machine, and a write there would count as growth.
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        # (Only where the session timeout middleware is installed; it arrives with the session rules.)
        if timeout := getattr(core_middleware, "SessionTimeoutMiddleware", None):
            patch.setattr(timeout, "TOUCH_SECONDS", 24 * 3600)
        for size, scale in (("small", SMALL), ("medium", MEDIUM)):
            with transaction.atomic():
                seeding.seed(scale, seed=5, out=StringIO())
                subject = _subject(size)
                _as_if_committed()
                found[size] = (subject, _count(subject))
                transaction.set_rollback(True)
        clear_caches()
    return found


def test_the_medium_data_is_bigger_in_every_list_the_pages_show(measured):
    small, medium = measured["small"][0].sizes, measured["medium"][0].sizes
    assert medium["projects"] >= 3 * small["projects"]
    assert medium["tasks"] >= 3 * small["tasks"]
    for what in small:
        assert medium[what] > small[what], (what, small, medium)


@pytest.mark.parametrize("name", [name for name, _who, _path in ALL])
def test_the_query_count_does_not_grow_with_the_data(measured, name):
    small, medium = measured["small"][1][name], measured["medium"][1][name]
    assert medium == small, f"{name}: {small} queries on small data, {medium} on medium (see _count)"
