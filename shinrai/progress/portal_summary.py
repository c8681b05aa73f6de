""" "At a glance" on the customer's project page: the four questions a customer asks first.

1. Are we on schedule?  2. What is the latest report?  3. What problems are open?  4. What is waiting for me?

Everything is seen as the customer sees it (a vendor previewing the portal gets the customer's view), and the
number of queries does not grow with the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import PARTNER_ROLES, Project, User
from shinrai.requirements import selectors as requirement_selectors
from shinrai.requirements.models import Review

from . import chart_data, report_selectors
from .models import ReportAcknowledgement, WeeklyReport
from .selectors import ScheduleSummary

PROBLEM_CHARS = 200


@dataclass(frozen=True)
class PortalGlance:
    schedule: ScheduleSummary
    latest_report: WeeklyReport | None  # the latest published version of the newest week; None for partners
    # Open problems come from the latest report's "Problem" text for now: the troubles app (a real issue list
    # shared with the customer) does not exist yet. Replace this once it does.
    problem: str
    problem_truncated: bool
    open_review: Review | None  # a requirements review waiting for this customer's comments or decision
    report_to_acknowledge: (
        WeeklyReport | None
    )  # the latest report, when this user has not confirmed reading it

    @property
    def waiting(self) -> bool:
        return self.open_review is not None or self.report_to_acknowledge is not None


def portal_glance(*, user: User, project: Project) -> PortalGlance:
    """The four answers for ``user`` on ``project``. At most a fixed handful of queries, whatever the data."""
    role = access.role_in(user, project)
    perms = access.ROLE_PERMS[role] if role else frozenset()
    schedule = chart_data.ProjectCharts(
        user=user, project=project, audience=chart_data.audience_for(user, portal=True)
    ).schedule_summary()
    latest = None
    if role is not None and role not in PARTNER_ROLES:
        # Published only, also for a vendor previewing the portal: drafts are not the customer's to see.
        latest = (
            report_selectors.reports_for(user=user, project=project)
            .filter(state=WeeklyReport.State.PUBLISHED)
            .annotate(
                acknowledged_by_me=Exists(
                    ReportAcknowledgement.objects.filter(report=OuterRef("pk"), user_id=user.pk)
                )
            )
            .order_by("-week_start", "-version")
            .first()
        )
    can_respond = Perm.COMMENT in perms  # customer roles: they comment, acknowledge and (sponsor) decide
    review = None
    if can_respond or Perm.DECIDE in perms:
        review = requirement_selectors.open_review(project=project)
    problem = latest.problem.strip() if latest else ""
    return PortalGlance(
        schedule=schedule,
        latest_report=latest,
        problem=problem[:PROBLEM_CHARS],
        problem_truncated=len(problem) > PROBLEM_CHARS,
        open_review=review,
        report_to_acknowledge=latest if latest and can_respond and not latest.acknowledged_by_me else None,
    )
