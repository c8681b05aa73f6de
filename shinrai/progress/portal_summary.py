""" "At a glance" on the customer's project page: the four questions a customer asks first.

1. Are we on schedule?  2. What is the latest report?  3. What problems are open?  4. What is waiting for me?
(a review to comment on, a report to acknowledge and, for the customer sponsor, troubles whose options wait
for a choice and change requests waiting for approval; other customer members see those two as information).

Everything is seen as the customer sees it (a vendor previewing the portal gets the customer's view), and the
number of queries does not grow with the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import PARTNER_ROLES, Project, Role, User
from shinrai.ledger import selectors as ledger_selectors
from shinrai.ledger.models import ChangeRequest
from shinrai.requirements import selectors as requirement_selectors
from shinrai.requirements.models import Review
from shinrai.troubles import selectors as trouble_selectors
from shinrai.troubles.models import Trouble

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
    # Troubles whose options wait for the customer sponsor's choice, and change requests waiting for the
    # sponsor's approval. Loaded for every customer role and for a vendor previewing the portal; they are
    # waiting *for this user* only when ``i_decide`` (the customer sponsor). Empty for partner vendors.
    troubles_to_decide: tuple[Trouble, ...] = ()
    changes_to_decide: tuple[ChangeRequest, ...] = ()
    i_decide: bool = False

    @property
    def decisions_pending(self) -> bool:
        return bool(self.troubles_to_decide or self.changes_to_decide)

    @property
    def waiting(self) -> bool:
        return (
            self.open_review is not None
            or self.report_to_acknowledge is not None
            or (self.i_decide and self.decisions_pending)
        )


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
    troubles, changes = (), ()
    if role is not None and role not in PARTNER_ROLES:  # two queries, whatever the data
        troubles = tuple(trouble_selectors.awaiting_decision(user=user, project=project))
        changes = tuple(ledger_selectors.changes_awaiting_decision(user=user, project=project))
    problem = latest.problem.strip() if latest else ""
    return PortalGlance(
        schedule=schedule,
        latest_report=latest,
        problem=problem[:PROBLEM_CHARS],
        problem_truncated=len(problem) > PROBLEM_CHARS,
        open_review=review,
        report_to_acknowledge=latest if latest and can_respond and not latest.acknowledged_by_me else None,
        troubles_to_decide=troubles,
        changes_to_decide=changes,
        i_decide=role == Role.CUSTOMER_SPONSOR and Perm.DECIDE in perms,
    )
