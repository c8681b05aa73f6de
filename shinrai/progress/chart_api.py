"""API endpoints for the data behind the progress charts: the Gantt, the burndown and earned value.

Routes of the progress router (imported at the end of ``api.py``). The figures are those the pages draw
(:mod:`shinrai.progress.chart_data`), for the same audience: vendor roles get what the Gantt and
"Burndown and earned value" pages show (every task they may see, hours, earned value); customers and
partner vendors what the portal's schedule page shows (the tasks shared with them, the burndown in percent
of the work, no earned value: hours are the vendor's data). 404 when the project is not visible.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Schema

from shinrai.core import access
from shinrai.core.access import Perm

from . import chart_data
from .api import router
from .chart_data import Audience

_PLACES = 2  # series values to 0.01 (hours or percent); the pages round further for display


def _number(value: Decimal | float | None, places: int = _PLACES) -> float | None:
    return None if value is None else round(float(value), places)


class GanttLineOut(Schema):
    kind: str = Field(description="milestone or task")
    id: int
    code: str = Field(description='WBS code of a task; "" for a milestone')
    name: str
    depth: int = Field(description="0 for milestones and top-level tasks")
    start: date | None = Field(description="Planned start of a task; null for a milestone")
    finish: date | None = Field(
        description="Planned finish of a task; the expected (or actual) date of a milestone"
    )
    baseline: date | None = Field(description="A milestone's promised date; null for tasks")
    progress: float = Field(description="0–100")
    status: str = Field(
        description="The bar's colour: done, on_hold, late (finish passed), at_risk (progress trails the "
        "business days passed by 25 points or more), in_progress or not_started"
    )
    status_label: str
    is_summary: bool


class GanttOut(Schema):
    audience: str = Field(description="vendor, customer or partners: whose view of the plan this is")
    today: date
    lines: list[GanttLineOut] = Field(description="Milestones in roadmap order, then the WBS in tree order")


class BurndownPointOut(Schema):
    date: date
    remaining: float = Field(description="Remaining work at the end of the day, in the burndown's unit")
    estimated: bool = Field(
        description="Before the first recorded snapshot: estimated from the tasks completed by then"
    )


class BurndownOut(Schema):
    unit: str = Field(description="hours (vendor roles) or percent (of all the work estimated today)")
    start: date | None
    target: date | None = Field(description="The latest planned finish: where the ideal line reaches zero")
    total: float = Field(description="The work at the start of the ideal line, in the unit")
    estimated_before: date | None
    points: list[BurndownPointOut] = Field(description="The project's start, every Friday since, and today")


class EvmFiguresOut(Schema):
    status_date: date
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    eac: float | None
    etc: float | None
    vac: float | None
    tcpi: float | None


class EvmPointOut(Schema):
    date: date
    pv: float
    ev: float | None = Field(description="null where it is not known (no record) or in the future")
    ac: float | None
    spi: float | None
    cpi: float | None


class EvmHistoryOut(Schema):
    date: date
    is_today: bool
    pv: float
    ev: float
    ac: float
    spi: float | None
    cpi: float | None


class EarnedValueOut(Schema):
    figures: EvmFiguresOut | None = Field(
        description="Today's figures in hours, as on the page (null when no task has planned dates)"
    )
    points: list[EvmPointOut] = Field(description="The chart's series, oldest first")
    history: list[EvmHistoryOut] = Field(description="The recorded figures, then today's")
    recorded_from: date | None = Field(description="The first recorded snapshot (null: none before today)")
    unplanned_tasks: int = Field(description="Tasks without a planned start or finish, not counted")


class ProgressChartsOut(Schema):
    audience: str
    today: date
    burndown: BurndownOut
    earned_value: EarnedValueOut | None = Field(description="Vendor roles only (null for others)")


def _project_charts(user, project_id: int) -> chart_data.ProjectCharts:
    """The charts of a project the user may see, for their audience (404 when it is hidden)."""
    project, role = access.project_for(user, project_id)
    if Perm.SEE_INTERNAL in access.ROLE_PERMS[role]:
        audience = Audience.VENDOR
    else:
        # As on the portal's schedule page: what is shared with the user's organization.
        audience = chart_data.audience_for(user, portal=True)
    return chart_data.ProjectCharts(user=user, project=project, audience=audience, today=timezone.localdate())


@router.get(
    "/projects/{int:project_id}/gantt",
    response=GanttOut,
    summary="The Gantt chart's lines: milestones and tasks with dates, progress and colour (everyone on "
    "the project, for what is shared with them)",
)
def get_gantt(request, project_id: int):
    charts = _project_charts(request.auth, project_id)
    milestones = charts.milestones()
    rows = charts.rows
    lines = chart_data.gantt_lines(rows, milestones, today=charts.today)
    # gantt_lines gives the milestones first, then the rows, in the order given.
    sources = [("milestone", status.milestone.pk) for status in milestones]
    sources += [("task", row.task.pk) for row in rows]
    return {
        "audience": charts.audience,
        "today": charts.today,
        "lines": [
            {
                "kind": kind,
                "id": pk,
                "code": line.code,
                "name": line.name,
                "depth": line.row.depth,
                "start": line.row.forecast_start,
                "finish": line.row.forecast_finish,
                "baseline": line.row.baseline_finish,
                "progress": _number(line.row.progress, 1),
                "status": line.row.status,
                "status_label": line.status_label,
                "is_summary": line.row.is_summary,
            }
            for (kind, pk), line in zip(sources, lines, strict=True)
        ],
    }


@router.get(
    "/projects/{int:project_id}/progress-charts",
    response=ProgressChartsOut,
    summary="Burndown series and, for vendor roles, earned value (PV, EV, AC, SPI, CPI, EAC) as on the "
    "progress charts page",
)
def get_progress_charts(request, project_id: int):
    """Vendor roles: the burndown in hours and earned value. Customers and partner vendors: the burndown
    in percent of the work, as the portal's schedule page shows it; ``earned_value`` is null."""
    charts = _project_charts(request.auth, project_id)
    series = charts.burndown_series()
    before = series.estimated_before
    earned = None
    if charts.audience == Audience.VENDOR:
        values = chart_data.earned_value(charts.rows, today=charts.today, history=charts.history)
        figures = values.figures()
        earned = {
            "figures": None
            if figures is None
            else {k: v if k == "status_date" else _number(v) for k, v in figures.items()},
            "points": [
                {
                    "date": point.date,
                    "pv": _number(point.pv),
                    "ev": _number(point.ev),
                    "ac": _number(point.ac),
                    "spi": _number(point.spi),
                    "cpi": _number(point.cpi),
                }
                for point in values.points
            ],
            "history": [
                {
                    name: value if name in ("date", "is_today") else _number(value)
                    for name, value in row.items()
                }
                for row in (row.rounded() for row in values.history)
            ],
            "recorded_from": charts.history[0].date if charts.history else None,
            "unplanned_tasks": values.unplanned_tasks,
        }
    return {
        "audience": charts.audience,
        "today": charts.today,
        "burndown": {
            "unit": "percent" if series.percent else "hours",
            "start": series.start,
            "target": series.target,
            "total": _number(series.total),
            "estimated_before": before,
            "points": [
                {
                    "date": point.date,
                    "remaining": _number(point.remaining),
                    "estimated": before is not None and point.date < before,
                }
                for point in series.points
            ],
        },
        "earned_value": earned,
    }
