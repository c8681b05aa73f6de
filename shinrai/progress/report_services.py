"""Write operations on weekly reports: one function per business action, transactional, audited.

Life of a report: ``report_create_draft`` (prefilled from the week's real changes) → ``report_update`` while a
draft → ``report_publish`` (version 1; the customer is told by e-mail) → ``report_correct`` for any later
change (a new, published version that says what was corrected). Customers ``report_acknowledge`` it and ask
questions with ``report_comment``; the vendor answers there.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import CUSTOMER_ROLES, Organization, Project, Role, User
from shinrai.core.services import audit_record
from shinrai.core.tasks import send_email
from shinrai.integrations import events, notifications
from shinrai.integrations.models import Event

from . import report_selectors, reports, services
from .models import PlainLanguageTerm, ReportAcknowledgement, ReportComment, WeeklyReport

REPORT_FIELDS = (
    "status",
    "status_reason",
    "done",
    "problem",
    "next_action",
    "schedule_outlook",
    "cost_outlook",
)


def _require(user: User, perm: Perm, project: Project) -> None:
    # Same answer for "not allowed" as for "not there": the caller's views already looked the project up.
    if not access.has_perm(user, perm, project):
        raise PermissionError(f"{perm} needed")


def _check_reason(report: WeeklyReport) -> None:
    report.status_reason = report.status_reason.strip()
    if report.status not in WeeklyReport.Rag.values:
        raise ValidationError({"status": _("Choose green, amber or red.")})
    if report.status != WeeklyReport.Rag.GREEN and not report.status_reason:
        raise ValidationError({"status_reason": _("Give the reason for an amber or red status.")})


@transaction.atomic
def plain_terms_ensure_defaults(*, vendor_org: Organization) -> int:
    """Give a vendor the default glossary if it has none yet; returns how many terms were added."""
    if PlainLanguageTerm.objects.filter(vendor_org=vendor_org).exists():
        return 0
    created = PlainLanguageTerm.objects.bulk_create(
        PlainLanguageTerm(vendor_org=vendor_org, term=t.term, plain_ja=t.plain_ja, plain_en=t.plain_en)
        for t in reports.DEFAULT_TERMS
    )
    return len(created)


@transaction.atomic
def report_create_draft(
    *, by: User, project: Project, week_start: date, today: date | None = None
) -> WeeklyReport:
    """Start the report of a week, prefilled from what really changed in it (in the author's language).

    One report per project and week: when one exists already, it is refused (edit or correct that one).
    The week must start on a Monday and must have begun.
    """
    _require(by, Perm.CONTRIBUTE, project)
    today = today or timezone.localdate()
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": _("A report week starts on a Monday.")})
    if week_start > today:
        raise ValidationError({"week_start": _("This week has not started yet.")})
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if WeeklyReport.objects.filter(project=project, week_start=week_start).exists():
        raise ValidationError({"week_start": _("There is already a report for this week.")})
    plain_terms_ensure_defaults(vendor_org=project.vendor_org)
    data = report_selectors.week_data(user=by, project=project, week_start=week_start, today=today)
    draft = reports.generate(data, by.language)
    report = WeeklyReport.objects.create(
        project=project,
        week_start=week_start,
        status=draft.status,
        status_reason=draft.status_reason,
        done=draft.done,
        problem=draft.problem,
        next_action=draft.next_action,
        schedule_outlook=draft.schedule_outlook,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="report.create",
        obj=report,
        project=project,
        after={"week_start": week_start, "status": report.status},
    )
    return report


@transaction.atomic
def report_update(*, by: User, report: WeeklyReport, **fields) -> WeeklyReport:
    """Change a draft. A published report is never changed: correct it instead (a new version)."""
    _require(by, Perm.CONTRIBUTE, report.project)
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    report = WeeklyReport.objects.select_for_update().get(pk=report.pk)
    if report.state != WeeklyReport.State.DRAFT:
        raise ValidationError(_("A published report cannot be changed. Publish a correction instead."))
    changed = {}
    for name, value in fields.items():
        if getattr(report, name) != value:
            changed[name] = (getattr(report, name), value)
            setattr(report, name, value)
    if report.status == WeeklyReport.Rag.GREEN:
        report.status_reason = report.status_reason.strip()
    else:
        _check_reason(report)
    if not changed:
        return report
    report.updated_at = timezone.now()
    report.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=by,
        action="report.update",
        obj=report,
        project=report.project,
        before={"fields": ", ".join(sorted(changed))},
        after={"status": report.status},
    )
    return report


def _customer_recipients(project: Project) -> list[User]:
    """Active customer members and sponsors of the project, of the project's customer (never partners)."""
    return list(
        User.objects.filter(
            memberships__project=project,
            memberships__role__in=CUSTOMER_ROLES,
            organization=project.customer_org_id,
            is_active=True,
        )
        .distinct()
        .order_by("email")
    )


def _notify(report: WeeklyReport) -> None:
    """E-mail every customer member, each in their own language, through the task queue (after commit)."""
    project = report.project
    url = settings.SITE_URL.rstrip("/") + reverse("reports:portal_detail", args=[project.pk, report.pk])
    recipients = _customer_recipients(project)
    email_off = notifications.email_off_ids([user.pk for user in recipients], Event.REPORT_PUBLISHED)
    for user in recipients:
        if user.pk in email_off:
            continue  # they chose not to get this e-mail (the in-app notification still reaches them)
        with translation.override(user.language):
            values = {
                "project": project.name,
                "week": report.week_start.isoformat(),
                "version": report.version,
                "status": str(WeeklyReport.Rag(report.status).label),
                "url": url,
                "name": user.display_name,
            }
            if report.is_correction:
                subject = _("[%(project)s] Corrected weekly report: week of %(week)s (version %(version)d)")
                lead = _("The weekly report of the week of %(week)s was corrected (version %(version)d).")
            else:
                subject = _("[%(project)s] Weekly report: week of %(week)s")
                lead = _("The weekly report of the week of %(week)s is published.")
            body = "\n\n".join(
                [
                    _("Dear %(name)s,") % values,
                    lead % values,
                    _("Status: %(status)s") % values,
                    _("Read it, acknowledge it or ask a question here: %(url)s") % values,
                ]
            )
            subject = subject % values
        send_email.enqueue(to=[user.email], subject=subject, body=body)


def _emit_published(report: WeeklyReport) -> None:
    """In-app notifications (and webhooks) for a published version; the e-mail is ``_notify``'s."""
    project = report.project
    if report.is_correction:
        subject = gettext_lazy("Corrected weekly report: week of %(week)s (version %(version)d)")
    else:
        subject = gettext_lazy("Weekly report published: week of %(week)s")
    events.emit(
        events.Occurrence(
            event=Event.REPORT_PUBLISHED,
            project=project,
            subject=subject,
            url=reverse("reports:portal_detail", args=[project.pk, report.pk]),
            params={"week": report.week_start.isoformat(), "version": report.version},
            facts={
                "report": report.pk,
                "week_start": report.week_start.isoformat(),
                "version": report.version,
                "status": report.status,
                "correction": report.is_correction,
            },
        ),
        recipients=_customer_recipients(project),
    )


def _vendor_recipients(report: WeeklyReport) -> list[User]:
    """Who answers a question: the project's active vendor PMs and the person who published the version."""
    project = report.project
    return list(
        User.objects.filter(organization=project.vendor_org_id, is_active=True)
        .filter(
            Q(memberships__project=project, memberships__role=Role.VENDOR_PM) | Q(pk=report.published_by_id)
        )
        .distinct()
        .order_by("email")
    )


def _notify_thread(comment: ReportComment) -> None:
    """A customer's question goes to the vendor's PMs and the report's publisher; an answer goes to the
    person who asked. Each in their own language, through the task queue (called after commit)."""
    report = comment.report
    project = report.project
    question = comment.parent or comment
    url = (
        settings.SITE_URL.rstrip("/")
        + reverse("reports:portal_detail", args=[project.pk, report.pk])
        + f"#comment-{question.pk}"
    )
    if comment.parent is None:
        recipients = _vendor_recipients(report)
    else:
        asker = question.author
        recipients = (
            [asker] if asker and asker.is_active and access.has_perm(asker, Perm.COMMENT, project) else []
        )
    for user in recipients:
        with translation.override(user.language):
            values = {
                "project": project.name,
                "week": report.week_start.isoformat(),
                "author": comment.author.display_name if comment.author else "",
                "url": url,
                "name": user.display_name,
            }
            if comment.parent is None:
                subject = _("[%(project)s] Question on the weekly report of the week of %(week)s")
                lead = _("%(author)s asked a question on the weekly report of the week of %(week)s:")
                action = _("Answer it here: %(url)s")
            else:
                subject = _(
                    "[%(project)s] Answer to your question on the weekly report of the week of %(week)s"
                )
                lead = _("%(author)s answered your question on the weekly report of the week of %(week)s:")
                action = _("Read the answer, or ask again, here: %(url)s")
            body = "\n\n".join([_("Dear %(name)s,") % values, lead % values, comment.body, action % values])
            subject = subject % values
        send_email.enqueue(to=[user.email], subject=subject, body=body)


@transaction.atomic
def report_publish(*, by: User, report: WeeklyReport) -> WeeklyReport:
    """Publish a draft as version 1 and tell the customer. Needs the edit permission (PM, manager)."""
    _require(by, Perm.EDIT, report.project)
    report = WeeklyReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    if report.state != WeeklyReport.State.DRAFT:
        raise ValidationError(_("This report is published already."))
    _check_reason(report)
    report.state = WeeklyReport.State.PUBLISHED
    report.version = 1
    report.published_at = timezone.now()
    report.published_by = by
    report.updated_at = report.published_at
    report.full_clean()
    report.save(
        update_fields=["state", "version", "published_at", "published_by", "status_reason", "updated_at"]
    )
    audit_record(
        actor=by,
        action="report.publish",
        obj=report,
        project=report.project,
        after={"week_start": report.week_start, "version": 1, "status": report.status},
    )
    services.snapshot_week_end(project=report.project, week_start=report.week_start)  # progress history
    transaction.on_commit(lambda: _notify(report))
    _emit_published(report)
    return report


@transaction.atomic
def report_correct(*, by: User, report: WeeklyReport, note: str, **fields) -> WeeklyReport:
    """Publish a corrected version of a published report: a new row, version + 1, that ``corrects`` it.

    Only the latest version can be corrected; ``note`` (what was corrected and why) is required and shown to
    the customer with the report. The customer is told again.
    """
    _require(by, Perm.EDIT, report.project)
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"correction_note": _("Say what was corrected and why.")})
    Project.objects.select_for_update().filter(pk=report.project_id).first()
    report = WeeklyReport.objects.select_related("project").get(pk=report.pk)
    if report.state != WeeklyReport.State.PUBLISHED:
        raise ValidationError(_("Only a published report can be corrected. Edit the draft instead."))
    latest = WeeklyReport.objects.filter(project=report.project, week_start=report.week_start).aggregate(
        latest=Max("version")
    )["latest"]
    if report.version != latest:
        raise ValidationError(_("Correct the latest version of this report."))
    now = timezone.now()
    correction = WeeklyReport(
        project=report.project,
        week_start=report.week_start,
        **{name: getattr(report, name) for name in REPORT_FIELDS},
        state=WeeklyReport.State.PUBLISHED,
        version=report.version + 1,
        corrects=report,
        correction_note=note,
        published_at=now,
        published_by=by,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    for name, value in fields.items():
        setattr(correction, name, value)
    _check_reason(correction)
    correction.full_clean()
    changed = sorted(name for name in REPORT_FIELDS if getattr(correction, name) != getattr(report, name))
    correction.save()
    audit_record(
        actor=by,
        action="report.correct",
        obj=correction,
        project=report.project,
        before={"version": report.version},
        after={"version": correction.version, "fields": ", ".join(changed), "note": note},
    )
    transaction.on_commit(lambda: _notify(correction))
    _emit_published(correction)
    return correction


@transaction.atomic
def report_acknowledge(*, by: User, report: WeeklyReport) -> tuple[ReportAcknowledgement, bool]:
    """The customer confirms they have read a published report — once per person and version.

    Returns the acknowledgement and whether it is new (a second click changes nothing).
    """
    _require(by, Perm.COMMENT, report.project)
    if report.state != WeeklyReport.State.PUBLISHED:
        raise ValidationError(_("Only a published report can be acknowledged."))
    # Two clicks at once (two tabs, a retried request) must not both pass the check below and then fail on
    # the unique constraint with a 500: the second waits for the first here and then finds its row.
    WeeklyReport.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True).first()
    existing = ReportAcknowledgement.objects.filter(report=report, user=by).first()
    if existing is not None:
        return existing, False
    acknowledgement = ReportAcknowledgement.objects.create(report=report, user=by)
    audit_record(
        actor=by,
        action="report.acknowledge",
        obj=report,
        project=report.project,
        after={"version": report.version, "user": by.email},
    )
    return acknowledgement, True


@transaction.atomic
def report_comment(
    *, by: User, report: WeeklyReport, body: str, parent: ReportComment | None = None
) -> ReportComment:
    """The Q&A thread of a published report: a customer asks (a new question), the vendor answers one."""
    project = report.project
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if report.state != WeeklyReport.State.PUBLISHED:
        raise ValidationError(_("Questions can be asked on published reports only."))
    perms = access.perms_in(by, project)
    if Perm.COMMENT in perms:
        if parent is not None:
            raise ValidationError(_("Ask a new question; the project team answers it."))
    elif Perm.CONTRIBUTE in perms:
        if parent is None or parent.report_id != report.id or parent.parent_id is not None:
            raise ValidationError(_("Answer one of the customer's questions."))
    else:
        raise PermissionError("comment or contribute needed")
    comment = ReportComment.objects.create(report=report, author=by, body=body, parent=parent)
    transaction.on_commit(lambda: _notify_thread(comment))
    audit_record(
        actor=by,
        action="report.answer" if parent else "report.ask",
        obj=comment,
        project=project,
        after={"report": report.pk, "version": report.version},
    )
    return comment
