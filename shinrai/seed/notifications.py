"""In-app notifications of the last eight weeks: what ``integrations.events.emit`` would have left in people's
lists as the seeded things happened.

- weekly report published (and corrected): the project's customer people, at publication;
- trouble disclosed: the customer people at disclosure, and the partner viewers when it is shared with them;
- a change request waiting for the sponsor's decision: the sponsors, when it was proposed;
- a customer request due within two business days: the vendor PM, every morning at 08:00 while it waits (as
  ``shinrai notify-due-requests`` runs daily), with the job's audit event ``customer_request.due_notice``, so
  the job does not tell the PM again on the day of seeding.

Titles are the app's own, in each person's language (everyone is seeded in Japanese), worded by
:meth:`shinrai.integrations.events.Occurrence.subject_in`; links are the pages the services link to. Older
notifications are mostly read, recent ones often not. Only the in-app rows are written: nothing is e-mailed,
queued or posted to webhooks. What the other areas left in ``plan.shared`` for this one is dropped once read
(kept for 1,000 projects it would only hold memory).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shinrai.integrations.events import Occurrence
from shinrai.integrations.models import Event, Notification
from shinrai.integrations.notifications import DUE_WITHIN_BUSINESS_DAYS
from shinrai.ledger.models import CustomerRequest
from shinrai.progress.workdays import add_business_days

from .base import TOKYO, ProjectPlan, Seeder

WINDOW = timedelta(weeks=8)
LANGUAGE = "ja"  # every seeded user's language (the User model's default)
# The services' subjects (the same texts, so they are translated the same).
PUBLISHED = gettext_lazy("Weekly report published: week of %(week)s")
CORRECTED = gettext_lazy("Corrected weekly report: week of %(week)s (version %(version)d)")
DISCLOSED = gettext_lazy("Trouble disclosed: %(ref)s %(title)s")
DECISION = gettext_lazy("A change needs your decision: %(title)s")
DUE = gettext_lazy("Request due %(due)s: %(title)s")


def seed_notifications(s: Seeder, plan: ProjectPlan) -> None:
    rng = s.rng("notifications", plan.index)
    since = s.now - WINDOW
    customers = plan.sponsors + plan.customer_members

    def tell(people, at: datetime, event: Event, subject, url: str, params: dict) -> None:
        title = Occurrence(event, None, subject, url, params).subject_in(LANGUAGE)[:300]
        for person in people:
            age = s.now - at
            read_at = None
            if rng.random() < (0.85 if age > timedelta(days=3) else 0.4):
                read_at = min(s.now, at + timedelta(minutes=rng.randint(5, 60 * 48)))
            s.add(
                Notification(
                    user_id=person,
                    event=event.value,
                    project_id=plan.id,
                    title=title,
                    url=url,
                    created_at=at,
                    read_at=read_at,
                )
            )

    for report_id, week, version, published_at in plan.shared.pop("published_reports", ()):
        if since <= published_at <= s.now:
            tell(
                customers,
                published_at,
                Event.REPORT_PUBLISHED,
                CORRECTED if version > 1 else PUBLISHED,
                reverse("reports:portal_detail", args=[plan.id, report_id]),
                {"week": week.isoformat(), "version": version},
            )
    for trouble in plan.shared.pop("disclosed_troubles", ()):
        if since <= trouble.disclosed_at <= s.now:
            people = customers + (plan.partner_viewers if trouble.visibility == "partners" else [])
            tell(
                people,
                trouble.disclosed_at,
                Event.TROUBLE_DISCLOSED,
                DISCLOSED,
                reverse("troubles:portal_detail", args=[plan.id, trouble.pk]),
                {"ref": trouble.ref, "title": trouble.title},
            )
    for change in plan.shared.pop("proposed_changes", ()):
        if since <= change.proposed_at <= s.now:
            tell(
                plan.sponsors,
                change.proposed_at,
                Event.DECISION_NEEDED,
                DECISION,
                reverse("ledger:portal", args=[plan.id]),
                {"title": change.title},
            )
    for request in plan.shared.pop("customer_requests", ()):
        for run in _due_notices(s, request, since):
            due = timezone.localtime(request.due_at, TOKYO).strftime("%Y-%m-%d %H:%M")
            s.audit(
                at=run,
                actor=None,
                action="customer_request.due_notice",
                object_type="ledger.customerrequest",
                object_id=request.pk,
                project=plan.id,
                after={"day": run.date().isoformat(), "due_at": request.due_at, "notified": 1},
            )
            tell(
                [plan.pm],
                run,
                Event.REQUEST_DUE,
                DUE,
                reverse("ledger:requests", args=[plan.id]),
                {"due": due, "title": request.title},
            )


def _due_notices(s: Seeder, request: CustomerRequest, since: datetime) -> list[datetime]:
    """The mornings (08:00 Tokyo) the daily job found the request waiting and due within two business days."""
    runs = []
    day = request.created_at.astimezone(TOKYO).date()
    while True:
        run = datetime.combine(day, time(8), tzinfo=TOKYO)
        if run >= request.due_at or run > s.now:
            return runs
        until = datetime.combine(
            add_business_days(day, DUE_WITHIN_BUSINESS_DAYS) + timedelta(days=1), time.min, tzinfo=TOKYO
        )
        done = [t for t in (request.answered_at, request.closed_at) if t is not None]
        waiting = run > request.created_at and not (done and min(done) <= run)
        if waiting and request.due_at < until and run >= since:
            runs.append(run)
        day += timedelta(days=1)
