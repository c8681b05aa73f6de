"""The trust dashboard's cached aggregate (``accounts.ProjectIndicators``) stays equal to the data.

Random writes through the services (troubles found and disclosed, tasks finished, milestones reached,
customer requests asked, acknowledged, answered and closed, questions asked and answered on weekly reports,
gray zones marked and given an owner),
with the clock moving on by hours and dashboards read in between (which store the rows they miss), on seeded
data.
Then every stored row is recomputed from scratch as of its own time and compared, and the dashboard read from
the rows is compared with one gathered from the data. The tests commit (transaction=True) so that the
on-commit drops run as in production.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from shinrai import seed as seeding
from shinrai.accounts import trust_cache, trust_selectors
from shinrai.accounts.models import ProjectIndicators
from shinrai.core.models import Project, ProjectMember, Role, User
from shinrai.core.services import project_written
from shinrai.grayzone import services as grayzone_services
from shinrai.grayzone.models import GrayZoneItem
from shinrai.ledger import services as ledger_services
from shinrai.ledger.models import CustomerRequest
from shinrai.progress import report_services
from shinrai.progress import services as progress_services
from shinrai.progress.models import Milestone, ReportComment, Task, WeeklyReport
from shinrai.troubles import services as trouble_services
from shinrai.troubles.models import Trouble

TINY = seeding.SCALES["small"].but(
    customers=2, partners=1, projects=4, users=24, tasks_per_project=30, requirements_per_project=4
)
ROUNDS = 12

pytestmark = pytest.mark.django_db(transaction=True)


class Writer:
    """One random write (or clock move, or dashboard read) at a time, through the services."""

    def __init__(self, rng: random.Random, clock) -> None:
        self.rng = rng
        self.clock = clock
        self.projects = list(Project.objects.order_by("pk"))
        roles = {(m.project_id, m.role): m.user for m in ProjectMember.objects.select_related("user")}
        self.pm = {p.pk: roles[(p.pk, Role.VENDOR_PM)] for p in self.projects}
        self.sponsor = {p.pk: roles.get((p.pk, Role.CUSTOMER_SPONSOR)) for p in self.projects}
        self.manager = User.objects.filter(is_vendor_manager=True).order_by("pk").first()
        self.done: dict[str, int] = {}

    def now(self):
        return timezone.now()

    def write(self) -> None:
        """One random write through a service on a random project (skipped when the service refuses it)."""
        action = self.rng.choice(
            [
                self.trouble,
                self.disclose,
                self.finish_task,
                self.reach_milestone,
                self.ask_request,
                self.handle_request,
                self.ask_question,
                self.answer_question,
                self.gray_zone,
            ]
        )
        try:
            happened = action(self.rng.choice(self.projects))
        except ValidationError:
            happened = False
        if happened:
            self.done[action.__name__] = self.done.get(action.__name__, 0) + 1

    def trouble(self, project) -> bool:
        trouble_services.trouble_create(
            by=self.pm[project.pk],
            project=project,
            kind=self.rng.choice(["risk", "issue"]),
            title="障害",
            facts="事実",
            detected_at=self.now() - timedelta(hours=self.rng.randint(1, 24 * 120)),
            found_by=self.rng.choice(list(Trouble.FoundBy.values)),
        )
        return True

    def disclose(self, project) -> bool:
        trouble = Trouble.objects.filter(project=project, disclosed_at__isnull=True).order_by("?").first()
        if trouble is None:
            return False
        trouble_services.trouble_disclose(by=self.pm[project.pk], trouble=trouble, version=trouble.version)
        return True

    def finish_task(self, project) -> bool:
        leaf = (
            Task.objects.filter(project=project, children__isnull=True, estimate_hours__gt=0)
            .exclude(status=Task.Status.DONE)
            .order_by("?")
            .first()
        )
        if leaf is None:
            return False
        progress_services.task_update_progress(
            by=self.pm[project.pk],
            task=leaf,
            progress=100,
            actual_hours=Decimal(self.rng.randint(1, 80)) / 4,
            status=Task.Status.DONE,
            at=self.now() - timedelta(hours=self.rng.randint(0, 24 * 100)),
        )
        return True

    def reach_milestone(self, project) -> bool:
        milestone = Milestone.objects.filter(project=project, actual_date__isnull=True).order_by("?").first()
        if milestone is None:
            return False
        day = timezone.localdate() - timedelta(days=self.rng.randint(0, 120))
        progress_services.milestone_record_actual(
            by=self.pm[project.pk], milestone=milestone, actual_date=day
        )
        return True

    def ask_request(self, project) -> bool:
        if self.sponsor[project.pk] is None:
            return False
        ledger_services.request_create(
            by=self.sponsor[project.pk],
            project=project,
            title="依頼",
            due_at=self.now() + timedelta(hours=self.rng.randint(1, 72)),
        )
        return True

    def handle_request(self, project) -> bool:
        request = (
            CustomerRequest.objects.filter(project=project)
            .exclude(status=CustomerRequest.Status.CLOSED)
            .order_by("?")
            .first()
        )
        if request is None:
            return False
        pm = self.pm[project.pk]
        # An answered request (the seed makes many) can only be closed.
        how = (
            "close"
            if request.status == CustomerRequest.Status.ANSWERED
            else self.rng.choice(["acknowledge", "answer", "close"])
        )
        if how == "acknowledge":
            ledger_services.request_acknowledge(by=pm, request=request)
        elif how == "answer":
            ledger_services.request_answer(by=pm, request=request, answer="回答")
        else:
            ledger_services.request_close(by=self.sponsor[project.pk] or pm, request=request)
        return True

    def ask_question(self, project) -> bool:
        report = (
            WeeklyReport.objects.filter(project=project, state=WeeklyReport.State.PUBLISHED)
            .order_by("-week_start", "-version")
            .first()
        )
        if report is None or self.sponsor[project.pk] is None:
            return False
        report_services.report_comment(by=self.sponsor[project.pk], report=report, body="質問")
        return True

    def answer_question(self, project) -> bool:
        question = (
            ReportComment.objects.filter(report__project=project, parent=None, answers__isnull=True)
            .select_related("report")
            .order_by("?")
            .first()
        )
        if question is None:
            return False
        report_services.report_comment(
            by=self.pm[project.pk], report=question.report, body="回答", parent=question
        )
        return True

    def gray_zone(self, project) -> bool:
        """Mark a gray zone, or give an open one an owner (accepted, or decided by the customer sponsor)."""
        pm, sponsor = self.pm[project.pk], self.sponsor[project.pk]
        item = GrayZoneItem.objects.filter(project=project, state="unowned").order_by("?").first()
        if item is None or self.rng.random() < 0.5:
            grayzone_services.item_create(by=pm, project=project, title="担当未定", reason="no_owner")
        elif sponsor is not None and self.rng.random() < 0.5:
            grayzone_services.item_escalate(by=pm, item=item, note="判断を")
            grayzone_services.item_decide(
                by=sponsor, item=item, organization=project.vendor_org, rationale="当社"
            )
        else:
            grayzone_services.item_offer(by=pm, item=item, organization=project.vendor_org)
            grayzone_services.item_accept(by=pm, item=item)
        return True

    def move_clock(self) -> None:
        # An hour or more: into another hour, whose boards recompute every row (a row serves the hour it was
        # computed in), so that a board from the rows must equal one gathered from the data at the same time.
        self.clock.at += timedelta(minutes=self.rng.randint(60, 600))

    def read_board(self) -> None:
        """The dashboard as the pages read it: from the stored rows, storing the ones it misses."""
        trust_selectors.trust_board(user=self.manager, stored=True)


def _board(board) -> tuple:
    return (
        [(p.project.pk, p.packed, [w.code for w in p.warnings]) for p in board.projects],
        [(a.customer.pk, a.packed, [w.code for w in a.warnings]) for a in board.accounts],
        board.figures,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_stored_indicators_equal_a_recomputation_after_random_writes(clock, seed):
    seeding.seed(TINY, seed=seed, out=StringIO())
    writer = Writer(random.Random(seed), clock)
    manager = writer.manager
    for _round in range(ROUNDS):
        writer.read_board()  # every project's row stored
        for _ in range(writer.rng.randint(2, 8)):
            writer.write()
        # Each stored row equals its project's data recomputed as of the row's time …
        assert trust_cache.differences() == []
        # … and the board read from the rows (and the rows the writes dropped) equals a gathered one.
        fresh = _board(trust_selectors.trust_board(user=manager))
        assert _board(trust_selectors.trust_board(user=manager, stored=True)) == fresh
        if writer.rng.random() < 0.5:
            writer.move_clock()

    # Enough of every kind of write happened for the comparison to mean something.
    assert set(writer.done) >= {
        "trouble",
        "disclose",
        "finish_task",
        "ask_request",
        "handle_request",
        "gray_zone",
    }
    assert ProjectIndicators.objects.count() == len(writer.projects)
    call_command("recompute-indicators", "--check", stdout=StringIO())
    # The command recomputes every row as of now: the same figures again.
    call_command("recompute-indicators", stdout=StringIO())
    assert set(ProjectIndicators.objects.values_list("computed_at", flat=True)) == {timezone.now()}
    assert trust_cache.differences() == []


def test_a_write_that_did_not_drop_its_row_is_reported(clock):
    seeding.seed(TINY, seed=3, out=StringIO())
    writer = Writer(random.Random(3), clock)
    writer.read_board()
    project = writer.projects[0]
    assert project_written.disconnect(dispatch_uid="accounts.trust_cache.drop_after_write")
    try:
        trouble_services.trouble_create(
            by=writer.pm[project.pk],
            project=project,
            kind="issue",
            title="障害",
            facts="事実",
            detected_at=timezone.now() - timedelta(hours=5),
            found_by=Trouble.FoundBy.CUSTOMER,
        )
    finally:
        project_written.connect(
            trust_cache.drop_after_write, dispatch_uid="accounts.trust_cache.drop_after_write"
        )
    [difference] = trust_cache.differences()
    assert difference.startswith(f"{project.code}: customer_found (as of ")
    with pytest.raises(CommandError, match="1 project"):
        call_command("recompute-indicators", "--check", stdout=StringIO(), stderr=StringIO())
    # With the drop connected, the next write drops the row and the board stores a right one.
    writer.trouble(project)
    assert not ProjectIndicators.objects.filter(project=project).exists()
    writer.read_board()
    assert trust_cache.differences() == []


def test_a_row_serves_only_the_hour_it_was_computed_in(clock):
    seeding.seed(TINY, seed=4, out=StringIO())
    writer = Writer(random.Random(4), clock)
    writer.read_board()
    first = set(ProjectIndicators.objects.values_list("computed_at", flat=True))
    clock.at += timedelta(minutes=20)  # 10:20, the same hour
    writer.read_board()
    assert set(ProjectIndicators.objects.values_list("computed_at", flat=True)) == first
    clock.at += timedelta(minutes=45)  # 11:05: the windows moved on
    writer.read_board()
    assert set(ProjectIndicators.objects.values_list("computed_at", flat=True)) == {timezone.now()}
