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

History
-------
Tasks keep only their current state; the past comes from :class:`~shinrai.progress.models.ProgressSnapshot`
rows (one per project, day and audience; see ``services.snapshot_take``). Today's point is always computed
from the live tasks. A past point is **recorded**: for the project's start, every Friday since and
yesterday, the latest snapshot on or before that day, drawn at the snapshot's own date (each once). Before
the first snapshot there is no record, and:

* **Burndown**: the remaining work is *estimated* as the sum of the estimates of the leaf tasks not
  completed by the end of that day (``Task.completed_at``): progress on unfinished tasks is not known, and
  re-estimates and tasks added later count as if they had been there from the start. These points are
  drawn hollow on a dotted line.
* **Earned value**: only the planned value (PV) of the current plan is drawn there; earned value (EV) and
  actual hours (AC) are not known and not drawn. Recorded points carry the PV, EV and AC of their day (the
  plan as it stood then, so a re-plan shows as a step); from today on PV follows the current plan.

Cache
-----
Rendering a Gantt takes a few hundred milliseconds; the page itself a few. A rendered chart is cached under
(project, audience, zoom, language, today, data fingerprint). The fingerprint is one query: the number,
latest ``updated_at`` and highest id of the project's tasks and milestones, and the number and latest
``taken_at`` of its snapshots. Every service that changes a task or milestone sets ``updated_at``, a
deletion lowers the count, a new or replaced snapshot moves ``taken_at``, so a change shows on the next view.
Charts live in their own cache, ``caches["charts"]``, which ``chart_drawing`` fills ahead of the first view.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from django.core.cache import caches
from django.db.models import Count, Max, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Organization, Project, User

from . import charts, evm, selectors, workdays
from .models import Milestone, ProgressSnapshot, Task
from .selectors import MilestoneStatus, WbsRow
from .snapshots import VISIBILITIES as _SNAPSHOT_VISIBILITIES

# Bump when the drawing changes, so that pictures cached by a shared cache (Redis) are drawn again.
CHART_VERSION = 2
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


#: What each audience sees (``None``: whatever the vendor user may see, i.e. everything). The snapshots
#: of the progress history are taken per audience with the same mapping.
VISIBILITIES: dict[Audience, tuple[str, ...] | None] = {
    Audience(audience): visibilities for audience, visibilities in _SNAPSHOT_VISIBILITIES.items()
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


def recorded_points(
    history: Sequence[ProgressSnapshot], *, start: date, today: date
) -> list[ProgressSnapshot]:
    """The snapshots drawn as past points (see the module doc), oldest first. No queries.

    For ``start``, every Friday after it and yesterday: the latest snapshot of ``history`` (sorted by date)
    dated on or before that day, each snapshot once. Snapshots of today or later are never used: today's
    point comes from the live tasks.
    """
    yesterday = today - timedelta(days=1)
    days = [] if not history or yesterday < start else [start, *evm.weekly_dates(start, yesterday), yesterday]
    dates = [snapshot.date for snapshot in history]
    chosen: dict[date, ProgressSnapshot] = {}
    for day in days:
        index = bisect_right(dates, day)
        if index:
            chosen[dates[index - 1]] = history[index - 1]
    return [chosen[day] for day in sorted(chosen)]


def _recorded_from(history: Sequence[ProgressSnapshot], today: date) -> date:
    """Past points before this date are not recorded (the first snapshot's date, or today without one)."""
    return history[0].date if history and history[0].date < today else today


@dataclass(frozen=True)
class Burndown:
    points: list[charts.BurndownPoint]
    start: date | None
    target: date | None  # the latest planned finish: where the ideal line reaches zero
    total: Decimal  # hours, or 100 (percent)
    percent: bool
    # Points dated before this are estimated (no snapshot yet); the others are recorded, or today's.
    estimated_before: date | None = None

    @property
    def estimated_points(self) -> int:
        if self.estimated_before is None:
            return 0
        return sum(1 for point in self.points if point.date < self.estimated_before)


def burndown(
    rows: list[WbsRow],
    *,
    today: date,
    percent: bool = False,
    fallback_start: date | None = None,
    history: Sequence[ProgressSnapshot] = (),
) -> Burndown:
    """Remaining work at the project's start, every Friday since and today (see the module doc).

    ``history`` is the audience's snapshots dated before today, oldest first (``ProjectCharts.history``):
    past points come from them where they exist, and are estimated before the first one. ``percent`` gives
    the remaining work as a percentage of all the work estimated today instead of hours (one scale for the
    whole line, so that work added later shows as a rise).
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

    def scaled(hours: Decimal) -> Decimal:
        return hours * _HUNDRED / total if percent else hours

    def estimated(day: date) -> Decimal:
        return sum((row.estimate_hours for row in leaves if not _completed_by(row, day)), Decimal(0))

    live = sum(
        (
            row.estimate_hours * (_HUNDRED - row.progress) / _HUNDRED
            for row in leaves
            if not _completed_by(row, today)
        ),
        Decimal(0),
    )
    recorded_from = _recorded_from(history, today)
    days = sorted({start, *evm.weekly_dates(start, today)} - {today})
    points = [charts.BurndownPoint(day, scaled(estimated(day))) for day in days if day < recorded_from]
    points += [
        charts.BurndownPoint(snapshot.date, scaled(snapshot.remaining_hours))
        for snapshot in recorded_points(history, start=start, today=today)
    ]
    points.append(charts.BurndownPoint(today, scaled(live)))
    return Burndown(points, start, target, _HUNDRED if percent else total, percent, recorded_from)


@dataclass(frozen=True)
class HistoryRow:
    """One line of the earned-value table: figures recorded on ``date`` (or today's, live). Unrounded."""

    date: date
    pv: Decimal
    ev: Decimal
    ac: Decimal
    is_today: bool = False

    @property
    def spi(self) -> Decimal | None:
        return self.ev / self.pv if self.pv else None

    @property
    def cpi(self) -> Decimal | None:
        return self.ev / self.ac if self.ac else None

    def rounded(self) -> dict:
        """For display: hours to 0.1, indices to 0.01 (half up)."""
        return {
            "date": self.date,
            "is_today": self.is_today,
            "pv": evm.round_half_up(self.pv, 1),
            "ev": evm.round_half_up(self.ev, 1),
            "ac": evm.round_half_up(self.ac, 1),
            "spi": evm.round_half_up(self.spi, 2),
            "cpi": evm.round_half_up(self.cpi, 2),
        }


@dataclass(frozen=True)
class EarnedValue:
    points: list[charts.EvmPoint]
    today: evm.EvmResult | None  # None when no leaf task has planned dates
    unplanned_tasks: int  # leaf tasks without a planned start or finish: not in the figures
    history: tuple[HistoryRow, ...] = ()  # the recorded points, then today
    recorded_from: date | None = None  # before this date EV and AC are not known (no snapshot)

    def figures(self) -> dict | None:
        """Today's figures rounded for display: hours to 0.1, indices to 0.01."""
        return self.today.rounded(amount_places=1) if self.today else None


def earned_value(rows: list[WbsRow], *, today: date, history: Sequence[ProgressSnapshot] = ()) -> EarnedValue:
    """PV of the current plan, EV and AC where known: recorded past points and today (see the module doc).

    Budgets are the leaf tasks' estimate hours and costs their actual hours, as on the roadmap's summary.
    ``history`` is the vendor audience's snapshots dated before today, oldest first.
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
    recorded_from = _recorded_from(history, today)
    dates = sorted(
        day
        for day in {first, *evm.weekly_dates(first, last), last, today}
        if day < recorded_from or day >= today  # between them, the record speaks
    )
    snapshot = (today, {row.task.pk: (row.progress, row.actual_hours) for row in planned})
    results = evm.series(tasks, dates, [snapshot])
    points = [
        charts.EvmPoint.from_result(result)
        if result.status_date == today
        else charts.EvmPoint(result.status_date, result.pv)  # EV and AC unknown: not drawn
        for result in results
    ]
    recorded = recorded_points(history, start=first, today=today)
    points += [charts.EvmPoint(s.date, s.pv_hours, s.ev_hours, s.ac_hours) for s in recorded]
    points.sort(key=lambda point: point.date)
    current = next(result for result in results if result.status_date == today)
    table = [HistoryRow(s.date, s.pv_hours, s.ev_hours, s.ac_hours) for s in recorded]
    table.append(HistoryRow(today, current.pv, current.ev, current.ac, is_today=True))
    return EarnedValue(points, current, len(leaves) - len(planned), tuple(table), recorded_from)


# --- Rendered and cached ---------------------------------------------------------------------------------


_FIGURE_OPEN = '<figure class="chart" id="gantt-chart">'


@dataclass(frozen=True)
class GanttView:
    """What a Gantt page shows, cached as finished markup: rendering the ~300-row table under the chart on
    every request cost more than everything else on the page (bench/results/)."""

    html: str  # the figure, the "not drawn" notice and the table of the lines (progress/_gantt_chart.html)
    line_names: tuple[str, ...]
    omitted_rows: int

    @property
    def svg(self) -> str:
        """The picture alone (kept once, inside ``html``: a 300-line Gantt is about 1 MB of outlines)."""
        start = self.html.index(_FIGURE_OPEN) + len(_FIGURE_OPEN)
        return self.html[start : self.html.index("</figure>", start)]

    @property
    def safe_html(self) -> str:
        return mark_safe(self.html)  # noqa: S308 -- rendered by our template from the escaped lines


@dataclass(frozen=True)
class ProgressView:
    burndown_svg: str
    burndown_percent: bool
    evm_svg: str | None  # vendor audience only
    figures: dict | None  # today's EVM figures (vendor audience only)
    unplanned_tasks: int
    history: tuple[dict, ...] = ()  # recorded EVM figures, then today's, rounded (vendor audience only)
    recorded_from: date | None = None  # the first snapshot's date (None: nothing recorded before today)
    estimated_points: int = 0  # burndown points that are estimates (drawn hollow) …
    estimated_before: date | None = None  # … all of them dated before this day


def fingerprint(project: Project) -> str:
    """What the project's charts were drawn from, in one query: counts, latest changes, highest ids of the
    tasks and milestones, and the count and latest ``taken_at`` of the progress snapshots."""

    def stats(model) -> dict:
        items = model.objects.filter(project=OuterRef("pk")).order_by().values("project")
        prefix = model._meta.model_name
        return {
            f"{prefix}_{name}": Subquery(items.annotate(value=function).values("value")[:1])
            for name, function in (("n", Count("pk")), ("at", Max("updated_at")), ("id", Max("pk")))
        }

    snapshots = ProgressSnapshot.objects.filter(project=OuterRef("pk")).order_by().values("project")
    annotations = (
        stats(Task)
        | stats(Milestone)
        | {
            f"snapshot_{name}": Subquery(snapshots.annotate(value=function).values("value")[:1])
            for name, function in (("n", Count("pk")), ("at", Max("taken_at")))
        }
    )
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

    @cached_property
    def history(self) -> list[ProgressSnapshot]:
        """The audience's progress snapshots dated before today, oldest first. One query."""
        return list(
            ProgressSnapshot.objects.filter(
                project=self.project, audience=self.audience, date__lt=self.today
            ).order_by("date")
        )

    def burndown_series(self) -> Burndown:
        """The burndown this audience gets: hours for the vendor, percent of the work for the others."""
        return burndown(
            self.rows,
            today=self.today,
            percent=self.audience != Audience.VENDOR,
            fallback_start=self.project.start_date,
            history=self.history,
        )

    def burndown_chart(self, series: Burndown | None = None, *, width: float = 10.0, height: float = 4.0):
        """The burndown drawn (not cached: for the page see :meth:`progress`; a PDF draws PNG from it)."""
        series = series or self.burndown_series()
        return charts.burndown(
            series.points,
            start=series.start,
            target=series.target,
            total=series.total,
            today=self.today,
            language=self.language,
            unit="%" if series.percent else None,
            width=width,
            height=height,
            estimated_before=series.estimated_before,
        )

    def milestones(self) -> list[MilestoneStatus]:
        milestones = selectors.milestones_for(
            user=self.user, project=self.project, visibilities=self.visibilities
        )
        return selectors.milestone_statuses(milestones, today=self.today)

    def gantt_lines(self) -> list[GanttLine]:
        return gantt_lines(self.rows, self.milestones(), today=self.today)

    def schedule_summary(self) -> selectors.ScheduleSummary:
        """Are we on schedule, for this audience: cached with the charts, as it reads the same whole WBS."""
        key = self.key("schedule")
        summary = caches["charts"].get(key)
        if summary is None:
            summary = selectors.project_schedule_summary(
                user=self.user,
                project=self.project,
                rows=selectors.wbs_outline(
                    user=self.user, project=self.project, visibilities=self.visibilities
                ),
                today=self.today,
                visibilities=self.visibilities,
            )
            caches["charts"].set(key, summary, CACHE_SECONDS)
        return summary

    def gantt(self, *, zoom: str) -> GanttView:
        """The Gantt at ``zoom`` ("week" or "month"), from the cache when the data has not changed."""
        if zoom not in ZOOMS:
            raise ValueError(f"zoom must be one of {ZOOMS}, not {zoom!r}")
        key = self.key("gantt", zoom)
        view = caches["charts"].get(key)
        if view is None:
            lines = self.gantt_lines()
            chart = render_gantt(lines, today=self.today, zoom=zoom, language=self.language)
            svg = chart.svg()
            with translation.override(self.language):
                html = render_to_string(
                    "progress/_gantt_chart.html",
                    {"svg": svg, "lines": lines, "omitted_rows": chart.omitted_rows},
                )
            view = GanttView(html, tuple(line.name for line in lines), chart.omitted_rows)
            caches["charts"].set(key, view, CACHE_SECONDS)
        return view

    def progress(self) -> ProgressView:
        """The burndown (hours for the vendor, percent for others) and, for the vendor, earned value."""
        key = self.key("progress")
        view = caches["charts"].get(key)
        if view is None:
            view = self._draw_progress()
            caches["charts"].set(key, view, CACHE_SECONDS)
        return view

    def _draw_progress(self) -> ProgressView:
        vendor = self.audience == Audience.VENDOR
        series = self.burndown_series()
        burndown_chart = self.burndown_chart(series)
        evm_svg = figures = None
        history: tuple[dict, ...] = ()
        # Hours are vendor data: the other audiences' EV figures only count the unplanned tasks.
        values = earned_value(self.rows, today=self.today, history=self.history if vendor else ())
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
            history = tuple(row.rounded() for row in values.history)
        return ProgressView(
            burndown_svg=burndown_chart.svg(),
            burndown_percent=series.percent,
            evm_svg=evm_svg,
            figures=figures,
            unplanned_tasks=values.unplanned_tasks,
            history=history,
            recorded_from=_recorded_from(self.history, self.today) if self.history else None,
            estimated_points=series.estimated_points,
            estimated_before=series.estimated_before,
        )
