"""The progress and weekly report pages take as many SQL queries for a big project as for a small one.

Each test opens a page on a project with a small plan and history, then grows the project (a deeper WBS,
more milestones, requirement links, owners, more weekly reports with acknowledgements, questions, answers
and a correction) and opens it again: the number of queries must not change. Chart pages are counted both
when the chart is drawn (cache empty) and when it comes from the cache.
Rows are made directly (no services): the point is the shape and amount of data, not how it came about.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core.models import Role
from shinrai.progress.models import Milestone, ReportAcknowledgement, ReportComment, Task, WeeklyReport
from shinrai.requirements.models import Requirement
from tests.caches import clear_caches

from ..factories import ProjectMemberFactory, UserFactory

TOKYO = ZoneInfo("Asia/Tokyo")
START = date(2026, 6, 1)  # a Monday


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_caches()
    yield
    clear_caches()


class Plan:
    """Grows one project: milestones, a three-level WBS, requirements and weekly reports."""

    def __init__(self, cast):
        self.cast = cast
        self.project = cast.own
        self.project.start_date = START
        self.project.end_date = date(2027, 3, 31)
        self.project.save(update_fields=["start_date", "end_date"])
        self.pm = cast.users["vendor_pm"]
        self.sponsor = cast.users["customer_sponsor"]
        self.member = cast.users["customer_member"]
        self.owners = [self.pm, cast.users["vendor_member"]]
        self.tasks = self.milestones = self.requirements = self.weeks = 0
        self.draft = self.published = None

    def grow(self, *, milestones: int, phases: int, packages: int, leaves: int, weeks: int) -> None:
        project = self.project
        new_milestones = []
        for _ in range(milestones):
            day = START + timedelta(weeks=4 * (self.milestones + 1))
            new_milestones.append(
                Milestone.objects.create(
                    project=project,
                    name=f"マイルストーン{self.milestones}",
                    baseline_date=day,
                    forecast_date=day + timedelta(days=self.milestones % 3),
                    actual_date=day if day < date(2026, 9, 1) else None,
                    position=self.milestones,
                    visibility="internal" if self.milestones % 4 == 3 else "customer",
                )
            )
            self.milestones += 1
        requirement = Requirement.objects.create(
            project=project, number=self.requirements + 1, text="受注データを検索できること。"
        )
        self.requirements += 1
        for _ in range(phases):
            phase = self._task(None, "フェーズ", START, START + timedelta(days=90))
            for _ in range(packages):
                package = self._task(phase, "作業", START, START + timedelta(days=60))
                for i in range(leaves):
                    begin = START + timedelta(days=7 * i)
                    leaf = self._task(
                        package,
                        "タスク",
                        begin,
                        begin + timedelta(days=6),
                        owner=self.owners[i % 2],
                        milestone=new_milestones[i % len(new_milestones)] if new_milestones else None,
                        estimate_hours=Decimal(16),
                        actual_hours=Decimal(8),
                        progress=50,
                        status="in_progress",
                        visibility="internal" if i % 5 == 4 else "customer",
                    )
                    leaf.requirements.add(requirement)
        for _ in range(weeks):
            self._published_week()
        if self.draft is None:
            self.draft = WeeklyReport.objects.create(project=project, week_start=date(2026, 11, 16))

    def _task(self, parent, name, start, finish, **fields):
        self.tasks += 1
        siblings = Task.objects.filter(project=self.project, parent=parent).count()
        return Task.objects.create(
            project=self.project,
            parent=parent,
            position=siblings,
            name=f"{name}{self.tasks}",
            planned_start=start,
            planned_finish=finish,
            **fields,
        )

    def _published_week(self) -> None:
        week = START + timedelta(weeks=self.weeks)
        self.weeks += 1
        at = datetime.combine(week + timedelta(days=4), datetime.min.time(), tzinfo=TOKYO) + timedelta(
            hours=17
        )
        report = WeeklyReport.objects.create(
            project=self.project,
            week_start=week,
            state="published",
            version=1,
            published_at=at,
            published_by=self.pm,
            created_by=self.pm,
            done="・画面設計が完了しました",
        )
        for user in (self.sponsor, self.member):
            ReportAcknowledgement.objects.create(report=report, user=user, at=at + timedelta(hours=2))
        question = ReportComment.objects.create(report=report, author=self.sponsor, body="遅れはありますか？")
        ReportComment.objects.create(report=report, author=self.pm, body="ありません。", parent=question)
        ReportComment.objects.create(report=report, author=self.member, body="研修の日程は？")
        if self.weeks % 3 == 0:
            WeeklyReport.objects.create(
                project=self.project,
                week_start=week,
                state="published",
                version=2,
                corrects=report,
                correction_note="日付を訂正しました。",
                published_at=at + timedelta(days=1),
                published_by=self.pm,
                created_by=self.pm,
            )
        # The page shows the latest week's report: keep pointing at it as the project grows.
        self.published = report

    def more_people(self) -> None:
        """Another customer member and vendor member on the project (acknowledgements, owners)."""
        extra = UserFactory(organization=self.cast.customer)
        ProjectMemberFactory(project=self.project, user=extra, role=Role.CUSTOMER_MEMBER)
        dev = UserFactory(organization=self.cast.vendor)
        ProjectMemberFactory(project=self.project, user=dev, role=Role.VENDOR_MEMBER)
        self.owners.append(dev)
        if self.published is not None:
            ReportAcknowledgement.objects.create(report=self.published, user=extra)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def plan(cast):
    plan = Plan(cast)
    plan.grow(milestones=1, phases=1, packages=1, leaves=1, weeks=1)
    return plan


def grow_big(plan: Plan) -> None:
    plan.grow(milestones=5, phases=3, packages=3, leaves=3, weeks=12)
    plan.more_people()


PAGES = {
    "gantt_week": ("vendor_pm", lambda p: reverse("progress:gantt", args=[p.project.pk]) + "?zoom=week"),
    "gantt_month": ("vendor_pm", lambda p: reverse("progress:gantt", args=[p.project.pk]) + "?zoom=month"),
    "portal_schedule": (
        "customer_sponsor",
        lambda p: reverse("progress:portal_schedule", args=[p.project.pk]),
    ),
    "wbs": ("vendor_pm", lambda p: reverse("progress:wbs", args=[p.project.pk])),
    "report_list": ("vendor_pm", lambda p: reverse("reports:list", args=[p.project.pk])),
    "report_list_manager": ("vendor_manager", lambda p: reverse("reports:list", args=[p.project.pk])),
    "report_edit": ("vendor_pm", lambda p: reverse("reports:edit", args=[p.project.pk, p.draft.pk])),
    "portal_report": (
        "customer_sponsor",
        lambda p: reverse("reports:portal_detail", args=[p.project.pk, p.published.pk]),
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_query_count_does_not_grow_with_the_project(client, cast, plan, page):
    who, url_of = PAGES[page]
    client.force_login(cast.users[who])
    client.get(url_of(plan))  # the session, and the charts drawn once
    small_warm = queries(client, url_of(plan))
    clear_caches()
    small_cold = queries(client, url_of(plan))

    grow_big(plan)
    assert plan.tasks >= 40 and plan.weeks >= 13  # the big project really is bigger
    clear_caches()
    big_cold = queries(client, url_of(plan))
    big_warm = queries(client, url_of(plan))

    assert (big_cold, big_warm) == (small_cold, small_warm)


def test_the_big_project_shows_its_rows(client, cast, plan):
    """The counts above are not equal because the big project's rows went missing from the pages."""
    grow_big(plan)
    client.force_login(cast.users["vendor_pm"])
    wbs = client.get(reverse("progress:wbs", args=[plan.project.pk]))
    assert len(wbs.context["rows"]) == plan.tasks
    gantt = client.get(reverse("progress:gantt", args=[plan.project.pk]) + "?zoom=month")
    assert len(gantt.context["gantt"].line_names) == plan.tasks + plan.milestones
    listing = client.get(reverse("reports:list", args=[plan.project.pk]))
    weeks = listing.context["weeks"].paginator.object_list  # every week, over the list's pages
    published_weeks = [w for w in weeks if w.first_published_at is not None]
    assert len(published_weeks) == plan.weeks
