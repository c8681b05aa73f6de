"""Weekly report pages: the vendor's list, draft and correction forms; the customer's pages in the portal."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access
from shinrai.core.access import Perm

from . import report_selectors as selectors
from . import report_services as services
from . import reports
from .models import ReportComment, WeeklyReport
from .report_forms import CommentForm, CorrectionForm, ReportForm
from .views import _add_errors, _messages_of

FIELD_ORDER = ("status_reason", "done", "problem", "next_action", "schedule_outlook", "cost_outlook")


def _to_list(project) -> HttpResponse:
    return redirect("reports:list", pk=project.pk)


def _to_portal(report: WeeklyReport) -> HttpResponse:
    return redirect("reports:portal_detail", pk=report.project_id, report_id=report.pk)


def _findings(report: WeeklyReport, form) -> list[tuple[str, list]]:
    """(field label, findings) in the form's order, for the panel beside the form."""
    found = selectors.report_findings(report=report, language=get_language() or "ja")
    return [(form.fields[name].label, found[name]) for name in FIELD_ORDER if name in found]


@login_required
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every week of the project: its report's versions, status, acknowledgements, late or missing ones."""
    project, role = selectors.reports_project_for(request.user, pk, Perm.SEE_INTERNAL)
    today = timezone.localdate()
    return render(
        request,
        "progress/reports/list.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "weeks": selectors.report_weeks(user=request.user, project=project),
            "this_week": reports.monday_of(today),
            "last_week": reports.monday_of(today) - timedelta(days=7),
        },
    )


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Create the draft of ?week=YYYY-MM-DD (a Monday) from the week's changes, then edit it."""
    project, _role = selectors.reports_project_for(request.user, pk, Perm.CONTRIBUTE)
    try:
        week = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        messages.error(request, _("Choose the Monday of a week."))
        return _to_list(project)
    existing = WeeklyReport.objects.filter(project=project, week_start=week, corrects=None).first()
    if existing is not None and existing.state == WeeklyReport.State.DRAFT:
        return redirect("reports:edit", pk=project.pk, report_id=existing.pk)
    try:
        report = services.report_create_draft(by=request.user, project=project, week_start=week)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return _to_list(project)
    messages.success(request, _("The draft was written from this week's changes. Check and edit it."))
    return redirect("reports:edit", pk=project.pk, report_id=report.pk)


@login_required
def report_edit(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    """Edit a draft; every save shows the plain-language findings. Published reports are corrected instead."""
    project, role = selectors.reports_project_for(request.user, pk, Perm.CONTRIBUTE)
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    if report.state != WeeklyReport.State.DRAFT:
        return redirect("reports:correct", pk=project.pk, report_id=report.pk)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_update(by=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("reports:edit", pk=project.pk, report_id=report.pk)
    return render(
        request,
        "progress/reports/edit.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "report": report,
            "form": form,
            "findings": _findings(report, form),
        },
    )


@login_required
@require_POST
def report_publish(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    project, _role = selectors.reports_project_for(request.user, pk, Perm.EDIT)
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    try:
        services.report_publish(by=request.user, report=report)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return redirect("reports:edit", pk=project.pk, report_id=report.pk)
    messages.success(request, _("The report was published and the customer was notified."))
    return _to_list(project)


@login_required
def report_correct(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    """Publish a correction of a published report: a new version that says what was corrected."""
    project, role = selectors.reports_project_for(request.user, pk, Perm.EDIT)
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    if report.state != WeeklyReport.State.PUBLISHED:
        return redirect("reports:edit", pk=project.pk, report_id=report.pk)
    form = CorrectionForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        note = fields.pop("correction_note")
        try:
            correction = services.report_correct(by=request.user, report=report, note=note, **fields)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("The correction was published as version %(v)d.") % {"v": correction.version}
            )
            return _to_list(project)
    return render(
        request,
        "progress/reports/correct.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "report": report,
            "form": form,
            "findings": _findings(report, form),
        },
    )


# --- Customer portal -------------------------------------------------------------------------------------


@login_required
def portal_list(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = selectors.reports_project_for(request.user, pk)
    return render(
        request,
        "progress/reports/portal_list.html",
        {
            "project": project,
            "reports": selectors.portal_reports(user=request.user, project=project),
            "is_preview": access.is_vendor_user(request.user),
        },
    )


@login_required
def portal_detail(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    """One report in the fixed form, its corrections, acknowledgements and the question-and-answer thread."""
    project, role = selectors.reports_project_for(request.user, pk)
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    if report.state != WeeklyReport.State.PUBLISHED:
        raise Http404  # drafts are not shown in the portal, not even as a preview
    acknowledgements = selectors.acknowledged_by(report=report)
    return render(
        request,
        "progress/reports/portal_detail.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "report": report,
            "versions": selectors.report_versions(user=request.user, report=report),
            "acknowledgements": acknowledgements,
            "acknowledged": any(a.user_id == request.user.pk for a in acknowledgements),
            "thread": selectors.report_thread(report=report),
            "comment_form": CommentForm(),
            "is_preview": access.is_vendor_user(request.user),
        },
    )


@login_required
@require_POST
def portal_acknowledge(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    project, _role = selectors.reports_project_for(request.user, pk, Perm.COMMENT)
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    try:
        _ack, created = services.report_acknowledge(by=request.user, report=report)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        if created:
            messages.success(request, _("Thank you. The project team sees that you have read this report."))
    return _to_portal(report)


@login_required
@require_POST
def portal_comment(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    """A customer's question, or a vendor's answer to one (parent = the question)."""
    project, role = selectors.reports_project_for(request.user, pk)
    perms = access.ROLE_PERMS[role]
    if Perm.COMMENT not in perms and Perm.CONTRIBUTE not in perms:
        raise Http404
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment."))
        return _to_portal(report)
    parent = None
    if form.cleaned_data["parent"]:
        parent = ReportComment.objects.filter(report=report, pk=form.cleaned_data["parent"]).first()
        if parent is None:
            raise Http404
    try:
        services.report_comment(by=request.user, report=report, body=form.cleaned_data["body"], parent=parent)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("Your comment was posted."))
    return _to_portal(report)
