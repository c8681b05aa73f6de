"""API endpoints for weekly reports (read only for now): a project's reports and one report.

Through the same rule as the pages: customers get published versions, vendor roles drafts too, partner
vendors nothing (404).
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from . import report_selectors as selectors
from .models import WeeklyReport

router = Router(tags=["weekly reports"])


class ReportOut(Schema):
    id: int
    project_id: int
    week_start: date = Field(description="Monday of the reported week (Asia/Tokyo)")
    state: str = Field(description="draft or published")
    version: int | None = Field(description="1 when first published; corrections count up; null for a draft")
    corrects_id: int | None = Field(description="The version this one corrects")
    correction_note: str
    status: str = Field(description="green, amber or red")
    status_reason: str
    done: str
    problem: str
    next_action: str
    schedule_outlook: str
    cost_outlook: str
    published_at: datetime | None
    acknowledgements: int


def _out(report: WeeklyReport) -> dict:
    return {
        "id": report.pk,
        "project_id": report.project_id,
        "week_start": report.week_start,
        "state": report.state,
        "version": report.version,
        "corrects_id": report.corrects_id,
        "correction_note": report.correction_note,
        "status": report.status,
        "status_reason": report.status_reason,
        "done": report.done,
        "problem": report.problem,
        "next_action": report.next_action,
        "schedule_outlook": report.schedule_outlook,
        "cost_outlook": report.cost_outlook,
        "published_at": report.published_at,
        "acknowledgements": report.ack_count,
    }


@router.get(
    "/projects/{int:project_id}/reports",
    response=list[ReportOut],
    summary="Weekly reports of a project, newest week first (drafts only for vendor roles)",
)
@paginate(LimitOffsetPagination)
def list_reports(request, project_id: int):
    project, _role = selectors.reports_project_for(request.auth, project_id)
    return [
        _out(r)
        for r in selectors.reports_for(user=request.auth, project=project).order_by("-week_start", "-version")
    ]


@router.get("/reports/{int:report_id}", response=ReportOut, summary="One weekly report (one version)")
def get_report(request, report_id: int):
    return _out(selectors.report_by_id(user=request.auth, pk=report_id))
