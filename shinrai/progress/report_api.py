"""API endpoints for weekly reports: read for everyone who may see them, write for the roles the pages allow.

Through the same rule as the pages: customers get published versions, vendor roles drafts too, partner
vendors nothing (404). What the caller may see but not do answers 403; bad input 422 with
``{"detail": [{"field": ..., "message": ...}]}``. Writes go through ``report_services``, like the pages:
vendor roles draft and edit, PM and manager publish and correct, customers acknowledge and ask, vendor roles
answer. Inputs forbid unknown fields, so nobody can set the state, version or publication through them.
"""

import copy
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Organization

from . import report_selectors as selectors
from . import report_services as services
from .models import ReportAcknowledgement, ReportComment, WeeklyReport

router = Router(tags=["weekly reports"])
UPDATED_SINCE = sync.updated_since_param()

_TEXT = 20000  # a generous bound on each text of a report


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class AcknowledgerOut(Schema):
    user_id: int
    user_name: str
    at: datetime


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
    acknowledgements: int = Field(description="How many people acknowledged this version")
    acknowledged_by: list[AcknowledgerOut] = Field(
        description="Who acknowledged this version and when, oldest first (as the portal's report page "
        "lists them to everyone who may read the report)"
    )
    acknowledged_by_me: bool = Field(description="Whether the caller has acknowledged this version")
    updated_at: datetime = Field(description="The latest change of the report or of its acknowledgements")


class ReportCreateIn(_Input):
    week_start: date = Field(description="Monday of the week; the draft is written from that week's changes")


class ReportPatch(_Input):
    """Only the fields sent are changed (drafts only). Amber and red need ``status_reason``."""

    # Defaults are not validated: an omitted field stays unset while an explicit null is refused.
    status: WeeklyReport.Rag = Field(None)
    status_reason: str = Field(None, max_length=_TEXT)
    done: str = Field(None, max_length=_TEXT)
    problem: str = Field(None, max_length=_TEXT)
    next_action: str = Field(None, max_length=_TEXT)
    schedule_outlook: str = Field(None, max_length=_TEXT)
    cost_outlook: str = Field(None, max_length=_TEXT)


class CorrectionIn(ReportPatch):
    """A new published version of the latest version: what changed, and why (shown to the customer)."""

    correction_note: str = Field(min_length=1, max_length=2000, description="What was corrected and why")


class AcknowledgementOut(Schema):
    report_id: int
    user_id: int
    user_name: str
    at: datetime
    created: bool = Field(description="False when this person had acknowledged this version already")


class CommentOut(Schema):
    id: int
    parent_id: int | None = Field(description="The question an answer belongs to; null for a question")
    author_id: int | None
    author_name: str | None
    from_vendor: bool = Field(description="Written by the project team (an answer)")
    body: str
    created_at: datetime


class QuestionOut(CommentOut):
    answers: list[CommentOut]


class CommentIn(_Input):
    body: str = Field(min_length=1, max_length=4000)
    parent_id: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="Vendor roles answer a question: its id. Customers ask without it.",
    )


class PlainFindingOut(Schema):
    field: str = Field(description="The report's text field, e.g. done")
    start: int = Field(description="Offset in the field's text, in Unicode code points")
    end: int
    text: str
    kind: str = Field(description="jargon (a glossary term), abbreviation or vague")
    explanation: str = Field(description="The glossary's plain words, or why the wording is vague")
    category: str


def _out(report: WeeklyReport, user) -> dict:
    acknowledgements = report.acknowledgements.all()  # prefetched by _with_changes
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
        "acknowledged_by": [
            {"user_id": ack.user_id, "user_name": ack.user.display_name, "at": ack.at}
            for ack in acknowledgements
        ],
        "acknowledged_by_me": any(ack.user_id == user.pk for ack in acknowledgements),
        "updated_at": report.changed_at,
    }


def _with_changes(queryset):
    """``changed_at``: the report's own change or its latest acknowledgement, whichever is later. An
    acknowledgement changes what the report's answer says (who acknowledged) without changing the report.
    The acknowledgements with their people come in one more query, however many reports are listed."""
    return queryset.annotate(
        changed_at=Greatest("updated_at", Coalesce(Max("acknowledgements__at"), "updated_at"))
    ).prefetch_related(
        Prefetch("acknowledgements", queryset=ReportAcknowledgement.objects.select_related("user"))
    )


def _state(report: WeeklyReport) -> WeeklyReport:
    """The report as its ETag names it: with ``changed_at`` as its time (acknowledgements count). A draft
    has no acknowledgements, so for the drafts that can be changed this is its own ``updated_at``, the
    state ``If-Match`` checks."""
    named = copy.copy(report)
    named.updated_at = report.changed_at
    return named


def _report_for(user, project, pk) -> WeeklyReport:
    """``report_selectors.report_for`` with ``changed_at``; 404 when not visible."""
    try:
        return _with_changes(selectors.reports_for(user=user, project=project)).get(pk=pk)
    except WeeklyReport.DoesNotExist:
        raise Http404 from None


def _reloaded(user, report: WeeklyReport, response: HttpResponse | None = None) -> dict:
    """The report as the caller sees it now (with its acknowledgement count), its ETag on ``response``."""
    current = _report_for(user, report.project, report.pk)
    if response is not None:
        sync.set_etag(response, _state(current))
    return _out(current, user)


def _fields(data: dict) -> dict:
    # The services compare and store plain strings.
    return {name: str(value) for name, value in data.items()}


def _report_and_perms(user, report_id: int, *needed: Perm) -> WeeklyReport:
    """The report (404 when not visible) once the caller's role has one of ``needed`` (403 otherwise)."""
    report = selectors.report_by_id(user=user, pk=report_id)
    perms = access.perms_in(user, report.project)
    if not any(perm in perms for perm in needed):
        raise HttpError(403, "Forbidden")
    return report


def _comment_out(comment: ReportComment) -> dict:
    author = comment.author
    return {
        "id": comment.pk,
        "parent_id": comment.parent_id,
        "author_id": author.pk if author else None,
        "author_name": author.display_name if author else None,
        "from_vendor": bool(author and author.organization.kind == Organization.Kind.VENDOR),
        "body": comment.body,
        "created_at": comment.created_at,
    }


# --- Reading ---------------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/reports",
    response=list[ReportOut],
    summary="Weekly reports of a project, newest week first (drafts only for vendor roles)",
)
@paginate(Pagination)
def list_reports(request, project_id: int, updated_since: datetime | None = UPDATED_SINCE):
    """Newest week first; with ``updated_since``, those changed (or acknowledged) since, oldest first."""
    project, _role = selectors.reports_project_for(request.auth, project_id)
    reports = _with_changes(selectors.reports_for(user=request.auth, project=project))
    reports = sync.since(reports.order_by("-week_start", "-version"), updated_since, field="changed_at")
    return [_out(r, request.auth) for r in reports]


@router.get("/reports/{int:report_id}", response=ReportOut, summary="One weekly report (one version)")
def get_report(request, response: HttpResponse, report_id: int):
    """404 when not visible. The ``ETag`` header names this state, acknowledgements included
    (``If-None-Match`` answers 304); send it in ``If-Match`` when editing a draft."""
    report = selectors.report_by_id(user=request.auth, pk=report_id)
    report = _report_for(request.auth, report.project, report.pk)
    if unchanged := sync.not_modified(request, _state(report)):
        return unchanged
    sync.set_etag(response, _state(report))
    return _out(report, request.auth)


@router.get(
    "/reports/{int:report_id}/plain-language",
    response=list[PlainFindingOut],
    summary="Jargon, unexplained abbreviations and vague wording in a report (vendor roles)",
)
def report_plain_language(request, report_id: int):
    """The plain-language check shown beside the draft form, with the vendor's glossary, in the request's
    language. An authoring aid: 403 for customers."""
    report = _report_and_perms(request.auth, report_id, Perm.SEE_INTERNAL)
    found = selectors.report_findings(report=report, language=get_language() or "ja")
    return [
        {
            "field": field,
            "start": f.start,
            "end": f.end,
            "text": f.text,
            "kind": f.kind,
            "explanation": f.explanation,
            "category": f.category,
        }
        for field, findings in found.items()
        for f in findings
    ]


@router.get(
    "/reports/{int:report_id}/comments",
    response=list[QuestionOut],
    summary="The questions on a report, oldest first, each with the project team's answers",
)
@paginate(Pagination)
def list_report_comments(request, report_id: int):
    report = selectors.report_by_id(user=request.auth, pk=report_id)
    return [
        _comment_out(question) | {"answers": [_comment_out(answer) for answer in question.answers.all()]}
        for question in selectors.report_thread(report=report)
    ]


# --- Writing ---------------------------------------------------------------------------------------------


@router.post(
    "/projects/{int:project_id}/reports",
    response={201: ReportOut},
    summary="Start the draft of a week's report, written from that week's changes (vendor roles)",
)
def create_report(request, project_id: int, payload: ReportCreateIn):
    """Like "write the report" on the reports page: one report per project and week (422 when it exists).

    404 when the project's reports are not visible; 403 when they are but the role may not write.
    """
    user = request.auth
    project, role = selectors.reports_project_for(user, project_id)
    if Perm.CONTRIBUTE not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")
    report = services.report_create_draft(by=user, project=project, week_start=payload.week_start)
    return Status(201, _reloaded(user, report))


@router.patch("/reports/{int:report_id}", response=ReportOut, summary="Edit a draft report (vendor roles)")
def update_report(request, response: HttpResponse, report_id: int, payload: ReportPatch):
    """Change the fields sent. A published report is never changed (422): publish a correction instead.

    412 when ``If-Match`` names a state that has changed since (nothing is stored).
    """
    user = request.auth
    report = _report_and_perms(user, report_id, Perm.CONTRIBUTE)
    with sync.if_match(request, report):
        report = services.report_update(
            by=user, report=report, **_fields(payload.model_dump(exclude_unset=True))
        )
    return _reloaded(user, report, response)


@router.post(
    "/reports/{int:report_id}/publish",
    response=ReportOut,
    summary="Publish a draft as version 1 and e-mail the customer (PM and manager)",
)
def publish_report(request, report_id: int):
    user = request.auth
    report = _report_and_perms(user, report_id, Perm.EDIT)
    report = services.report_publish(by=user, report=report)
    return _reloaded(user, report)


@router.post(
    "/reports/{int:report_id}/corrections",
    response={201: ReportOut},
    summary="Publish a correction of the latest version: a new version that says what changed and why",
)
def correct_report(request, report_id: int, payload: CorrectionIn):
    """Fields not sent are copied from the corrected version. PM and manager; the customer is told again."""
    user = request.auth
    report = _report_and_perms(user, report_id, Perm.EDIT)
    data = payload.model_dump(exclude_unset=True)
    note = data.pop("correction_note")
    correction = services.report_correct(by=user, report=report, note=note, **_fields(data))
    return Status(201, _reloaded(user, correction))


@router.post(
    "/reports/{int:report_id}/acknowledgements",
    response={200: AcknowledgementOut, 201: AcknowledgementOut},
    summary='Acknowledge a published report: "I have read it" (customer roles; once per version)',
)
def acknowledge_report(request, report_id: int):
    """201 for a new acknowledgement, 200 when this person had acknowledged this version already."""
    user = request.auth
    report = _report_and_perms(user, report_id, Perm.COMMENT)
    acknowledgement, created = services.report_acknowledge(by=user, report=report)
    body = {
        "report_id": report.pk,
        "user_id": user.pk,
        "user_name": user.display_name,
        "at": acknowledgement.at,
        "created": created,
    }
    return Status(201 if created else 200, body)


@router.post(
    "/reports/{int:report_id}/comments",
    response={201: CommentOut},
    summary="Ask a question on a published report (customer roles) or answer one (vendor roles)",
)
def create_report_comment(request, report_id: int, payload: CommentIn):
    """Customers ask new questions (no ``parent_id``); vendor roles answer one (``parent_id`` = the question).

    The project's PMs are e-mailed a new question, the person who asked an answer.
    """
    user = request.auth
    report = _report_and_perms(user, report_id, Perm.COMMENT, Perm.CONTRIBUTE)
    parent = None
    if payload.parent_id is not None:
        parent = ReportComment.objects.filter(report=report, pk=payload.parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": _("Choose a question on this report.")})
    comment = services.report_comment(by=user, report=report, body=payload.body, parent=parent)
    comment.author = user
    return Status(201, _comment_out(comment))


# The vendor's glossary: routes of this router kept in their own module; imported last, once it exists.
from . import glossary_api  # noqa: E402, F401
