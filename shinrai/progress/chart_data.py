"""What the progress charts show, and the charts themselves, drawn once and cached.

Reads, like ``selectors.py``: the visible WBS (``selectors.wbs_for``) and milestones become the plain inputs
of :mod:`shinrai.progress.charts` (Gantt rows, a burndown series, an earned-value series), and
:class:`ProjectCharts` renders them to inline SVG through Django's cache.

Audiences
---------
A chart is drawn for an :class:`Audience`, never for a person: ``vendor`` (every task), ``customer`` (tasks
shared with the customer or with partners) or ``partners`` (tasks shared with partner vendors). Within a
project the WBS a user may see depends only on their organization's kind, so one cached picture serves
everyone of that audience. A vendor opening the customer portal previews it as the ``customer`` audience:
the portal's charts never show vendor-only tasks, whoever looks at them. Hours are vendor data (as in the
API): outside the vendor audience the burndown is in percent of the work, and there is no EVM chart.

History (honest approximations)
-------------------------------
There is no history table yet: tasks keep only their current progress, actual hours and completion time.

* **Burndown**: the remaining work at a past date is the sum of the estimates of the leaf tasks not
  completed by the end of that day (``Task.completed_at``); only today's point also subtracts the progress
  reported on unfinished tasks. Re-estimates and tasks added later count as if they had been there from
  the start.
* **Earned value**: the planned value (PV) covers the whole plan, but earned value (EV) and actual hours
  (AC) are known only for today, the one snapshot there is. The line history starts when progress is
  recorded weekly.

Cache
-----
Rendering a Gantt takes a few hundred milliseconds; the page itself a few. A rendered chart is cached under
(project, audience, zoom, language, today, data fingerprint). The fingerprint is one query: the number,
latest ``updated_at`` and highest id of the project's tasks and milestones. Every service that changes a
task or milestone sets ``updated_at``, a deletion lowers the count, so a change shows on the next view.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Organization, Project, User, Visibility

from . import charts, evm, selectors, workdays
from .models import Milestone, Task
from .selectors import MilestoneStatus, WbsRow

# Bump when the drawing changes, so that pictures cached by a shared cache (Redis) are drawn again.
CHART_VERSION = 1
CACHE_SECONDS = 24 * 60 * 60  # the key holds today's date: yesterday's pictures are never served
ZOOMS = ("week", "month")
# The week view shows this many weeks, starting this many weeks before today's (the month view: everything).
WEEK_WINDOW = 16
WEEKS_BEFORE_TODAY = 4
# A task whose progress trails the share of its business days already passed by this many percentage
# points is drawn "at risk" (amber); one past its planned finish and not done, "late" (red).
AT_RISK_POINTS = Decimal(25)

_HUNDRED = Decimal(100)


class Audience(StrEnum):
    VENDOR = "vendor"
    CUSTOMER = "customer"
    PARTNERS = "partners"


#: What each audience sees (``None``: whatever the vendor user may see, i.e. everything).
VISIBILITIES: dict[Audience, tuple[str, ...] | None] = {
    Audience.VENDOR: None,
    Audience.CUSTOMER: (Visibility.CUSTOMER, Visibility.PARTNERS),
    Audience.PARTNERS: (Visibility.PARTNERS,),
}

#: How the Gantt's statuses read in its table (the chart itself uses the labels of ``charts``).
STATUS_LABELS = {
    "not_started": Task.Status.NOT_STARTED.label,
    "in_progress": Task.Status.IN_PROGRESS.label,
    "done": Task.Status.DONE.label,
    "on_hold": Task.Status.ON_HOLD.label,
    "late": _("Late"),
    "at_risk": _("At risk"),
}


def audience_for(user: User, *, portal: bool) -> Audience:
    """Whose view of the project ``user`` gets: in the portal a vendor sees what the customer sees."""
    kind = user.organization.kind
    if kind == Organization.Kind.PARTNER:
        return Audience.PARTNERS
    if kind == Organization.Kind.VENDOR and not portal:
        return Audience.VENDOR
    return Audience.CUSTOMER


def chart_language() -> str:
    """The language the charts are drawn in: the page's (charts know Japanese and English)."""
    return "en" if (translation.get_language() or "").startswith("en") else "ja"


def _tokyo_date(value) -> date:
    return timezone.localtime(value).date()


# --- Gantt -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GanttLine:
    """One line of the Gantt, as the chart draws it and as the table under the chart lists it."""

    row: charts.GanttRow
    code: str  # the WBS code; "" for a milestone
    name: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.row.status, self.row.status))

    @property
    def percent(self) -> int:
        return int(evm.round_half_up(Decimal(str(self.row.progress)), 0))

    @property
    def indent(self) -> int:
        return min(self.row.depth, selectors.MAX_INDENT)


def _planned_percent(start: date, finish: date, today: date) -> Decimal:
    """The share of the business days of [start, finish] that have passed by the end of ``today``."""
    if today < start:
        return Decimal(0)
    if today >= finish:
        return _HUNDRED
    days = workdays.business_days_between(start, finish)
    return _HUNDRED * workdays.business_days_between(start, today) / days if days else Decimal(0)


def task_status(row: WbsRow, today: date) -> str:
    """The colour of a task's bar: done, on hold, late (finish passed), at risk (trailing), or its status."""
    if row.status in (Task.Status.DONE, Task.Status.ON_HOLD):
        return row.status
    if row.planned_finish is not None and row.planned_finish < today:
        return "late"
    if (
        row.planned_start is not None
        and row.planned_finish is not None
        and row.progress + AT_RISK_POINTS < _planned_percent(row.planned_start, row.planned_finish, today)
    ):
        return "at_risk"
    return row.status


def _task_line(row: WbsRow, today: date) -> GanttLine:
    start, finish = row.planned_start, row.planned_finish
    if start and finish and start > finish:
        # A summary spans its sub-tasks' dates; with only starts on some and only finishes on others the
        # two can cross. Draw the span between them rather than fail.
        start, finish = finish, start
    return GanttLine(
        row=charts.GanttRow(
            f"{row.code} {row.task.name}",
            depth=row.depth,
            forecast_start=start,
            forecast_finish=finish,
            progress=row.progress,
            status=task_status(row, today),
            is_summary=row.is_summary,
        ),
        code=row.code,
        name=row.task.name,
    )


def _milestone_line(status: MilestoneStatus) -> GanttLine:
    milestone = status.milestone
    expected = status.expected_date
    if milestone.is_achieved:
        colour = "done"
    elif status.is_late:
        colour = "late"
    else:
        colour = "in_progress"
    return GanttLine(
        row=charts.GanttRow(
            milestone.name,
            baseline_finish=milestone.baseline_date,
            forecast_finish=expected,
            progress=100 if milestone.is_achieved else 0,
            is_milestone=True,
            status=colour,
        ),
        code="",
        name=milestone.name,
    )


def gantt_lines(rows: list[WbsRow], milestones: list[MilestoneStatus], *, today: date) -> list[GanttLine]:
    """The milestones first (what was promised, in roadmap order), then the WBS in tree order. No queries.

    Tasks have no baseline of their own yet: their bars are the current plan. Milestones show the baseline
    date (hollow diamond) against the forecast or actual date.
    """
    return [_milestone_line(status) for status in milestones] + [_task_line(row, today) for row in rows]


def gantt_range(lines: list[GanttLine], *, zoom: str, today: date) -> tuple[date | None, date | None]:
    """The dates a Gantt covers: the whole plan by month; by week, the weeks around today.

    The week view is a window of :data:`WEEK_WINDOW` weeks that starts :data:`WEEKS_BEFORE_TODAY` weeks
    before today's week, kept inside the plan (a plan that has not started or has ended shows its first or
    last weeks). ``(None, None)`` lets the chart take the range of its rows.
    """
    dates = [d for line in lines for d in line.row.dates()]
    if zoom != "week" or not dates:
        return None, None
    first = _monday(min(dates))
    last = _monday(max(dates)) + timedelta(days=6)
    start = _monday(today) - timedelta(weeks=WEEKS_BEFORE_TODAY)
    start = max(first, min(start, last - timedelta(weeks=WEEK_WINDOW) + timedelta(days=1)))
    end = min(last, start + timedelta(weeks=WEEK_WINDOW) - timedelta(days=1))
    return start, end


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def render_gantt(lines: list[GanttLine], *, today: date, zoom: str, language: str) -> charts.Chart:
    """The Gantt of ``lines`` (weekends and Japanese public holidays shaded, today's line), 10 inches wide."""
    start, end = gantt_range(lines, zoom=zoom, today=today)
    return charts.gantt(
        [line.row for line in lines], today=today, start=start, end=end, zoom=zoom, language=language
    )


# --- Burndown and earned value ---------------------------------------------------------------------------


def _leaves(rows: list[WbsRow]) -> list[WbsRow]:
    return [row for row in rows if not row.is_summary]


def _completed_by(row: WbsRow, day: date) -> bool:
    completed_at = row.task.completed_at
    return completed_at is not None and _tokyo_date(completed_at) <= day


@dataclass(frozen=True)
class Burndown:
    points: list[charts.BurndownPoint]
    start: date | None
    target: date | None  # the latest planned finish: where the ideal line reaches zero
    total: Decimal  # hours, or 100 (percent)
    percent: bool


def burndown(
    rows: list[WbsRow], *, today: date, percent: bool = False, fallback_start: date | None = None
) -> Burndown:
    """Remaining estimated work at the project's start, every Friday since and today (see the module doc).

    ``percent`` gives the remaining work as a percentage of all estimated work instead of hours.
    """
    leaves = _leaves(rows)
    total = sum((row.estimate_hours for row in leaves), Decimal(0))
    starts = [row.planned_start for row in leaves if row.planned_start is not None]
    finishes = [row.planned_finish for row in leaves if row.planned_finish is not None]
    start = min(starts) if starts else fallback_start
    target = max(finishes) if finishes else None
    if start is not None and target is not None and target < start:
        target = None  # only starts on some tasks, only finishes on others: no ideal line to draw
    if not total or start is None or today < start:
        return Burndown([], start, target, _HUNDRED if percent else total, percent)

    def remaining(day: date) -> Decimal:
        left = Decimal(0)
        for row in leaves:
            if _completed_by(row, day):
                continue
            share = (_HUNDRED - row.progress) / _HUNDRED if day == today else Decimal(1)
            left += row.estimate_hours * share
        return left * _HUNDRED / total if percent else left

    days = sorted({start, *evm.weekly_dates(start, today), today})
    points = [charts.BurndownPoint(day, remaining(day)) for day in days]
    return Burndown(points, start, target, _HUNDRED if percent else total, percent)


@dataclass(frozen=True)
class EarnedValue:
    points: list[charts.EvmPoint]
    today: evm.EvmResult | None  # None when no leaf task has planned dates
    unplanned_tasks: int  # leaf tasks without a planned start or finish: not in the figures

    def figures(self) -> dict | None:
        """Today's figures rounded for display: hours to 0.1, indices to 0.01."""
        return self.today.rounded(amount_places=1) if self.today else None


def earned_value(rows: list[WbsRow], *, today: date) -> EarnedValue:
    """PV every Friday of the plan; EV and AC at today only, the one snapshot there is (see the module doc).

    Budgets are the leaf tasks' estimate hours and costs their actual hours, as on the roadmap's summary.
    """
    leaves = _leaves(rows)
    planned = [row for row in leaves if row.planned_start is not None and row.planned_finish is not None]
    if not planned:
        return EarnedValue([], None, len(leaves))
    tasks = [
        evm.PlannedTask(row.task.pk, row.estimate_hours, row.planned_start, row.planned_finish)
        for row in planned
    ]
    first = min(task.start for task in tasks)
    last = max(task.finish for task in tasks)
    dates = sorted({first, *evm.weekly_dates(first, last), last, today})
    snapshot = (today, {row.task.pk: (row.progress, row.actual_hours) for row in planned})
    results = evm.series(tasks, dates, [snapshot])
    points = [
        charts.EvmPoint.from_result(result)
        if result.status_date == today
        else charts.EvmPoint(result.status_date, result.pv)  # EV and AC unknown: not drawn
        for result in results
    ]
    current = next(result for result in results if result.status_date == today)
    return EarnedValue(points, current, len(leaves) - len(planned))


# --- Rendered and cached ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GanttView:
    svg: str  # inline-safe: drawn by charts.py from our own data (text as outlines, no scripts or styles)
    lines: list[GanttLine]
    omitted_rows: int


@dataclass(frozen=True)
class ProgressView:
    burndown_svg: str
    burndown_percent: bool
    evm_svg: str | None  # vendor audience only
    figures: dict | None  # today's EVM figures (vendor audience only)
    unplanned_tasks: int


def fingerprint(project: Project) -> str:
    """What the project's charts were drawn from, in one query: counts, latest changes, highest ids."""

    def stats(model) -> dict:
        items = model.objects.filter(project=OuterRef("pk")).order_by().values("project")
        prefix = model._meta.model_name
        return {
            f"{prefix}_{name}": Subquery(items.annotate(value=function).values("value")[:1])
            for name, function in (("n", Count("pk")), ("at", Max("updated_at")), ("id", Max("pk")))
        }

    annotations = stats(Task) | stats(Milestone)
    values = Project.objects.filter(pk=project.pk).annotate(**annotations).values_list(*annotations).get()
    source = repr((values, project.start_date, project.end_date))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


class ProjectCharts:
    """The charts of one project for one audience; each is drawn once per data version and cached.

    The caller has checked access (``access.project_for``); ``user`` is still the one whose view is read,
    narrowed to the audience's visibilities, so the selectors' access rule applies as everywhere else.
    """

    def __init__(
        self,
        *,
        user: User,
        project: Project,
        audience: Audience,
        today: date | None = None,
        language: str | None = None,
    ) -> None:
        self.user = user
        self.project = project
        self.audience = Audience(audience)
        self.today = today or timezone.localdate()
        self.language = language or chart_language()

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.project)

    def key(self, kind: str, zoom: str = "-") -> str:
        return ":".join(
            (
                f"shinrai:charts:v{CHART_VERSION}",
                kind,
                str(self.project.pk),
                self.audience,
                zoom,
                self.language,
                self.today.isoformat(),
                self.fingerprint,
            )
        )

    @property
    def visibilities(self) -> Collection[str] | None:
        return VISIBILITIES[self.audience]

    @cached_property
    def rows(self) -> list[WbsRow]:
        return selectors.wbs_for(user=self.user, project=self.project, visibilities=self.visibilities)

    def milestones(self) -> list[MilestoneStatus]:
        milestones = selectors.milestones_for(
            user=self.user, project=self.project, visibilities=self.visibilities
        )
        return selectors.milestone_statuses(milestones, today=self.today)

    def gantt_lines(self) -> list[GanttLine]:
        return gantt_lines(self.rows, self.milestones(), today=self.today)

    def gantt(self, *, zoom: str) -> GanttView:
        """The Gantt at ``zoom`` ("week" or "month"), from the cache when the data has not changed."""
        if zoom not in ZOOMS:
            raise ValueError(f"zoom must be one of {ZOOMS}, not {zoom!r}")
        key = self.key("gantt", zoom)
        view = cache.get(key)
        if view is None:
            lines = self.gantt_lines()
            chart = render_gantt(lines, today=self.today, zoom=zoom, language=self.language)
            view = GanttView(chart.svg(), lines, chart.omitted_rows)
            cache.set(key, view, CACHE_SECONDS)
        return view

    def progress(self) -> ProgressView:
        """The burndown (hours for the vendor, percent for others) and, for the vendor, earned value."""
        key = self.key("progress")
        view = cache.get(key)
        if view is None:
            view = self._draw_progress()
            cache.set(key, view, CACHE_SECONDS)
        return view

    def _draw_progress(self) -> ProgressView:
        vendor = self.audience == Audience.VENDOR
        series = burndown(
            self.rows, today=self.today, percent=not vendor, fallback_start=self.project.start_date
        )
        burndown_chart = charts.burndown(
            series.points,
            start=series.start,
            target=series.target,
            total=series.total,
            today=self.today,
            language=self.language,
            unit="%" if series.percent else None,
            width=10.0,
            height=4.0,
        )
        evm_svg = figures = None
        values = earned_value(self.rows, today=self.today)
        if vendor:
            evm_chart = charts.evm(
                values.points,
                today=self.today,
                bac=float(values.today.bac) if values.today else None,
                language=self.language,
                unit=str(charts.LABELS[self.language]["hours"]),
                width=10.0,
                height=5.0,
            )
            evm_svg, figures = evm_chart.svg(), values.figures()
        return ProgressView(
            burndown_svg=burndown_chart.svg(),
            burndown_percent=series.percent,
            evm_svg=evm_svg,
            figures=figures,
            unplanned_tasks=values.unplanned_tasks,
        )
