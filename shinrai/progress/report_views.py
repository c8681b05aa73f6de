"""Weekly report pages: the vendor's list, draft and correction forms; the customer's pages in the portal."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import parse_etags, quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access, locking
from shinrai.core.access import Perm

from . import chart_data, reports
from . import report_selectors as selectors
from . import report_services as services
from .models import ReportComment, WeeklyReport
from .report_forms import CommentForm, CorrectionForm, ReportForm
from .views import _add_errors, _messages_of, _zoom

WEEKS_PER_PAGE = 13
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
            # A quarter per page: a two-year project has ~100 weeks, and every row is several links.
            "weeks": Paginator(
                selectors.report_weeks(user=request.user, project=project), WEEKS_PER_PAGE
            ).get_page(request.GET.get("page")),
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
            with locking.guard(report, form.lock_token):
                report = services.report_update(by=request.user, report=report, **form.cleaned_data)
        except locking.Stale as stale:
            return _edit_conflict(request, project, role, form=form, stale=stale)
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


def _edit_conflict(request, project, role, *, form, stale, rows: bool = True) -> HttpResponse:
    """The draft page again (409) after a stale save or publication, beside what is saved now."""
    current = stale.current
    if current is None or current.state != WeeklyReport.State.DRAFT:
        # Published (or gone) meanwhile: nothing left to edit here.
        messages.error(request, locking.stale_message())
        return _to_list(project)
    context = {
        "project": project,
        "perms": access.ROLE_PERMS[role],
        "report": current,
        "findings": _findings(current, form),
    }
    return locking.conflict(
        request,
        "progress/reports/edit.html",
        context,
        form=form,
        stale=stale,
        compare=rows,
        reload_url=reverse("reports:edit", args=[project.pk, current.pk]),
    )


@login_required
@require_POST
def report_publish(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    project, role = selectors.reports_project_for(request.user, pk, Perm.EDIT)
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    try:
        # Publish the text the publisher read: a draft saved by someone else since is shown first.
        with locking.guard(report, request.POST.get(locking.LOCK_FIELD)):
            services.report_publish(by=request.user, report=report)
    except locking.Stale as stale:
        fresh = ReportForm(instance=stale.current) if stale.current is not None else ReportForm()
        return _edit_conflict(request, project, role, form=fresh, stale=stale, rows=False)
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


def _gantt_picture(request: HttpRequest, gantt: chart_data.GanttView, version: str) -> HttpResponse:
    """The Gantt's SVG alone, for the report page's ``<img>``: a 300-line plan is 1 MB of outlined text, which
    the browser now keeps instead of receiving it inside every report page.

    The page asks for ``v=<version>`` (changed by any change to the chart): that URL is cached for a day.
    Any other is revalidated (ETag), so an old link never shows an old picture for long."""
    etag = quote_etag(version)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(gantt.svg, content_type="image/svg+xml")
    response["ETag"] = etag
    current = request.GET.get("v") == version
    response["Cache-Control"] = "private, max-age=86400" if current else "private, no-cache"
    return response


@login_required
def portal_detail(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    """One report in the fixed form, its corrections, acknowledgements and the question-and-answer thread.

    With ``?picture=gantt`` it answers the Gantt's picture instead (the page shows it as an image), for
    whoever may read the report."""
    project, role = selectors.reports_project_for(request.user, pk)
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    if report.state != WeeklyReport.State.PUBLISHED:
        raise Http404  # drafts are not shown in the portal, not even as a preview
    report.project = project  # loaded with its organizations: the versions' lookup needs it
    zoom = _zoom(request, "month")
    # The charts the portal's schedule page shows, from the same cache (drawn for the customer audience).
    project_charts = chart_data.ProjectCharts(
        user=request.user, project=project, audience=chart_data.audience_for(request.user, portal=True)
    )
    gantt = project_charts.gantt(zoom=zoom)
    # The chart's cache key names the project, audience, zoom, language, day and data: the picture's version.
    version = hashlib.sha256(project_charts.key("gantt", zoom).encode()).hexdigest()[:32]
    if request.GET.get("picture") == "gantt":
        return _gantt_picture(request, gantt, version)
    picture = format_html(
        '<img src="?{}" alt="{}" loading="lazy" decoding="async">',
        urlencode({"zoom": zoom, "picture": "gantt", "v": version}),
        _("Gantt chart"),
    )
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
            "zoom": zoom,
            "gantt": SimpleNamespace(
                # The chart's table stays in the page; its picture comes as an image (see _gantt_picture).
                safe_html=mark_safe(gantt.html.replace(gantt.svg, picture, 1)),  # noqa: S308 -- cached markup, our <img>
                line_names=gantt.line_names,
                omitted_rows=gantt.omitted_rows,
            ),
            "charts": project_charts.progress(),
            "charts_day": project_charts.today,
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


# --- Exports: PDF and Excel ------------------------------------------------------------------------------

PDF_CONTENT_TYPE = "application/pdf"
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _export_report(request: HttpRequest, pk: int, report_id: int, *, portal: bool) -> WeeklyReport:
    """The report to export: vendor roles get any version, drafts too; the portal only published ones."""
    if portal:
        project, _role = selectors.reports_project_for(request.user, pk)
    else:
        project, _role = selectors.reports_project_for(request.user, pk, Perm.SEE_INTERNAL)
    report = selectors.report_for(user=request.user, project=project, pk=report_id)
    if portal and report.state != WeeklyReport.State.PUBLISHED:
        raise Http404  # as on the portal's page: drafts are not shown there
    report.project = project  # loaded with its vendor and customer organizations
    return report


def _attachment(content: bytes, *, content_type: str, report: WeeklyReport, extension: str) -> HttpResponse:
    """``content`` as a download named after the report, in the reader's language with an ASCII fallback.

    ``filename*`` (RFC 5987/6266) carries the UTF-8 name, e.g. 週次報告_ABC-1_2026-11-16_v1.pdf; browsers
    that do not read it use ``filename``, e.g. weekly-report_ABC-1_2026-11-16_v1.pdf.
    """
    version = f"v{report.version}" if report.version else "draft"
    parts = (report.project.code, f"{report.week_start:%Y-%m-%d}", version)
    name = _UNSAFE_FILENAME.sub("_", "_".join((_("Weekly report"), *parts))).strip(" ._") or "report"
    ascii_parts = [_NOT_ASCII_NAME.sub("-", part).strip("-.") or "project" for part in parts]
    fallback = "_".join(("weekly-report", *ascii_parts))
    response = HttpResponse(content, content_type=content_type)
    utf8_name = quote(f"{name}.{extension}", safe="")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}.{extension}\"; filename*=UTF-8''{utf8_name}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf(request: HttpRequest, report: WeeklyReport) -> HttpResponse:
    from . import report_pdf as builder  # fpdf2 and the font are only loaded for a PDF

    language = chart_data.chart_language()
    images = builder.customer_chart_images(user=request.user, project=report.project, language=language)
    content = builder.report_pdf(report, images=images, language=get_language() or "ja")
    return _attachment(content, content_type=PDF_CONTENT_TYPE, report=report, extension="pdf")


def _xlsx(request: HttpRequest, report: WeeklyReport) -> HttpResponse:
    from shinrai.core.xlsx import XLSX_CONTENT_TYPE  # openpyxl is only loaded for a download

    from . import report_xlsx as builder

    content = builder.report_xlsx(report, language=get_language() or "ja")
    return _attachment(content, content_type=XLSX_CONTENT_TYPE, report=report, extension="xlsx")


@login_required
def report_pdf(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    """The report as PDF for the vendor: any version, a draft marked as such; the customer's charts."""
    return _pdf(request, _export_report(request, pk, report_id, portal=False))


@login_required
def report_xlsx(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    return _xlsx(request, _export_report(request, pk, report_id, portal=False))


@login_required
def portal_pdf(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    """The published report as PDF, with the charts the customer sees in the portal."""
    return _pdf(request, _export_report(request, pk, report_id, portal=True))


@login_required
def portal_xlsx(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    return _xlsx(request, _export_report(request, pk, report_id, portal=True))
