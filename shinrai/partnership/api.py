"""API of the partnership check (vendor-internal; same conventions as shinrai/accounts/api.py).

Every endpoint looks the account up through ``selectors.account_for`` (``shinrai.core.access``): the
account's keepers (vendor managers, PMs of one of its projects) read and write; everyone else gets 404 —
customer and partner users, vendor members, another vendor. Bad input answers 422; a second check for the
same quarter 422. A check carries its ``ETag`` (``If-None-Match`` → 304); its PATCH honours ``If-Match``
(412 when it changed since, and nothing is written). Lists take ``updated_since``.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination

from . import facts as facts_module
from . import rules, selectors, services
from .models import CODES, QUESTIONS, Assessment

router = Router(tags=["partnership"])
UPDATED_SINCE = sync.updated_since_param()
_SCORE = {"ge": 1, "le": 5}


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class AssessmentOut(Schema):
    id: int
    customer_id: int
    fiscal_year: int = Field(description="Japanese fiscal year (April to March)")
    quarter: int = Field(description="1: April–June … 4: January–March")
    period_label: str
    own_part: int = Field(description="Does the customer do its own part on time? 1–5")
    own_part_note: str
    decisions: int = Field(description="Does the customer give decisions when needed? 1–5")
    decisions_note: str
    equal_partner: int = Field(description="Does the customer treat us as an equal partner? 1–5")
    equal_partner_note: str
    learns: int = Field(description="Does the customer learn with us? 1–5")
    learns_note: str
    scope: int = Field(description="Does the customer respect the agreed scope? 1–5")
    scope_note: str
    overall: float = Field(description="Mean of the five scores, one decimal")
    notes: str
    assessed_on: date
    assessed_by: str | None
    created_at: datetime
    updated_at: datetime


class AssessmentIn(_Input):
    fiscal_year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    own_part: int = Field(**_SCORE)
    decisions: int = Field(**_SCORE)
    equal_partner: int = Field(**_SCORE)
    learns: int = Field(**_SCORE)
    scope: int = Field(**_SCORE)
    own_part_note: str = ""
    decisions_note: str = ""
    equal_partner_note: str = ""
    learns_note: str = ""
    scope_note: str = ""
    notes: str = ""
    assessed_on: date | None = Field(None, description="Default: today (Japan)")


class AssessmentPatch(_Input):
    own_part: int = Field(None, **_SCORE)
    decisions: int = Field(None, **_SCORE)
    equal_partner: int = Field(None, **_SCORE)
    learns: int = Field(None, **_SCORE)
    scope: int = Field(None, **_SCORE)
    own_part_note: str = Field(None)
    decisions_note: str = Field(None)
    equal_partner_note: str = Field(None)
    learns_note: str = Field(None)
    scope_note: str = Field(None)
    notes: str = Field(None)
    assessed_on: date = Field(None)


class QuestionOut(Schema):
    code: str
    question: str


class TrendPointOut(Schema):
    assessment_id: int
    fiscal_year: int
    quarter: int
    period_label: str
    scores: dict[str, int] = Field(description="Score per question code")
    overall: float
    change: float | None = Field(description="overall − the previous check's overall")


class TrendOut(Schema):
    questions: list[QuestionOut]
    points: list[TrendPointOut] = Field(description="Oldest quarter first")


class ItemOut(Schema):
    kind: str = Field(description="trouble, change_request, customer_request or task")
    project_id: int
    project_code: str
    ref: str = Field(description="T-001, CR-12, R-7; for a task, its owner's name")
    title: str
    url: str = Field(description="The page of the item")
    start: date
    end: date
    days: int = Field(description="Business days (start not counted, end counted)")


class MeasureOut(Schema):
    count: int = Field(description="Items behind the figure")
    total: int = Field(description="Short-notice requests: every request asked in the window; else = count")
    median_days: float | None = Field(description="Median business days; null without items")
    items: list[ItemOut]


class PairOut(Schema):
    current: MeasureOut
    previous: MeasureOut


class WindowOut(Schema):
    first: date
    last: date


class FactsOut(Schema):
    today: date
    current_window: WindowOut
    previous_window: WindowOut
    trouble_decisions: PairOut = Field(description="Options proposed → the customer's decision, troubles")
    change_decisions: PairOut = Field(description="Submitted (proposed_at) → decided_at, change requests")
    short_notice: PairOut = Field(
        description=f"Requests due fewer than {facts_module.SHORT_NOTICE_DAYS} business days after asked; "
        "median_days: the notice of every request in the window"
    )
    overdue_tasks: PairOut = Field(description="Customer-side tasks overdue at the window's last day")
    waiting: list[ItemOut] = Field(description="Waiting for the customer's decision today")


class SuggestionOut(Schema):
    code: str
    side: str = Field(description="theirs (how they work with us) or ours (how they experience us)")
    finding: str
    conversation: str


class SummaryOut(Schema):
    customer_id: int
    ours: str = Field(description="healthy, watch, at_risk")
    ours_reasons: list[str]
    theirs: str = Field(description="healthy, watch, at_risk or unknown")
    theirs_reasons: list[str]
    suggestions: list[SuggestionOut]
    current_fiscal_year: int
    current_quarter: int
    current_assessment_id: int | None = Field(description="This quarter's check, when recorded")
    latest: AssessmentOut | None


def _out(a: Assessment) -> dict:
    data = {name: getattr(a, name) for name in (*CODES, *services.NOTE_FIELDS, "notes", "assessed_on")}
    return data | {
        "id": a.pk,
        "customer_id": a.customer_org_id,
        "fiscal_year": a.fiscal_year,
        "quarter": a.quarter,
        "period_label": a.period_label,
        "overall": a.overall,
        "assessed_by": a.assessed_by.display_name if a.assessed_by_id else None,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def _item(item: facts_module.Item) -> dict:
    return {
        name: getattr(item, name)
        for name in ("kind", "project_id", "project_code", "ref", "title", "url", "start", "end", "days")
    }


def _measure(m: facts_module.Measure) -> dict:
    return {
        "count": m.count,
        "total": m.total,
        "median_days": m.median,
        "items": [_item(i) for i in m.items],
    }


def _pair(p: facts_module.Pair) -> dict:
    return {"current": _measure(p.current), "previous": _measure(p.previous)}


@router.get(
    "/accounts/{int:customer_id}/partnership",
    response=SummaryOut,
    summary="Is the relationship healthy from both sides, and the conversations to have (account keepers)",
)
def get_partnership(request, customer_id: int):
    user = request.auth
    customer = selectors.account_for(user, customer_id)
    page = selectors.check_page(user=user, customer=customer, today=timezone.localdate())
    health: rules.Health = page.health
    return {
        "customer_id": customer.pk,
        "ours": health.ours,
        "ours_reasons": health.ours_reasons,
        "theirs": health.theirs,
        "theirs_reasons": health.theirs_reasons,
        "suggestions": [s.__dict__ for s in health.suggestions],
        "current_fiscal_year": page.current_year,
        "current_quarter": page.current_quarter,
        "current_assessment_id": page.current.pk if page.current else None,
        "latest": _out(page.latest) if page.latest else None,
    }


@router.get(
    "/accounts/{int:customer_id}/partnership/trend",
    response=TrendOut,
    summary="The partnership checks over time, per question and overall (account keepers)",
)
def get_partnership_trend(request, customer_id: int):
    user = request.auth
    customer = selectors.account_for(user, customer_id)
    rows = selectors.trend_rows(list(selectors.assessments_of(user=user, customer=customer)))
    return {
        "questions": [{"code": code, "question": str(q)} for code, q, _h in QUESTIONS],
        "points": [
            {
                "assessment_id": row.assessment.pk,
                "fiscal_year": row.assessment.fiscal_year,
                "quarter": row.assessment.quarter,
                "period_label": row.label,
                "scores": dict(zip(CODES, row.scores, strict=True)),
                "overall": row.overall,
                "change": row.change,
            }
            for row in rows
        ],
    }


@router.get(
    "/accounts/{int:customer_id}/partnership/facts",
    response=FactsOut,
    summary="Measured facts of the account over the projects you may open, last 180 days and the 180 before",
)
def get_partnership_facts(request, customer_id: int):
    user = request.auth
    customer = selectors.account_for(user, customer_id)
    f = selectors.facts_for(user=user, customer=customer, today=timezone.localdate())
    return {
        "today": f.today,
        "current_window": {"first": f.current.first, "last": f.current.last},
        "previous_window": {"first": f.previous.first, "last": f.previous.last},
        **{name: _pair(pair) for name, pair in f.measures()},
        "waiting": [_item(i) for i in f.waiting],
    }


@router.get(
    "/accounts/{int:customer_id}/partnership/assessments",
    response=list[AssessmentOut],
    summary="The partnership checks of an account, oldest quarter first (account keepers)",
)
@paginate(Pagination)
def list_partnership_assessments(request, customer_id: int, updated_since: datetime | None = UPDATED_SINCE):
    user = request.auth
    customer = selectors.account_for(user, customer_id)
    queryset = sync.since(selectors.assessments_of(user=user, customer=customer), updated_since)
    return [_out(a) for a in queryset]


@router.post(
    "/accounts/{int:customer_id}/partnership/assessments",
    response={201: AssessmentOut},
    summary="Record a quarter's partnership check (one per quarter; account keepers)",
)
def create_partnership_assessment(request, response: HttpResponse, customer_id: int, payload: AssessmentIn):
    user = request.auth
    customer = selectors.account_for(user, customer_id)
    data = payload.model_dump()
    if data["assessed_on"] is None:
        del data["assessed_on"]
    assessment = services.assessment_create(by=user, customer=customer, **data)
    sync.set_etag(response, assessment)
    return Status(201, _out(selectors.assessment_for(user=user, customer=customer, pk=assessment.pk)))


@router.get(
    "/accounts/{int:customer_id}/partnership/assessments/{int:assessment_id}",
    response=AssessmentOut,
    summary="One partnership check, with its ETag (account keepers)",
)
def get_partnership_assessment(request, response: HttpResponse, customer_id: int, assessment_id: int):
    user = request.auth
    customer = selectors.account_for(user, customer_id)
    assessment = selectors.assessment_for(user=user, customer=customer, pk=assessment_id)
    if unchanged := sync.not_modified(request, assessment):
        return unchanged
    sync.set_etag(response, assessment)
    return _out(assessment)


@router.patch(
    "/accounts/{int:customer_id}/partnership/assessments/{int:assessment_id}",
    response=AssessmentOut,
    summary="Change a check's scores, notes or day (account keepers); If-Match → 412 when stale",
)
def update_partnership_assessment(
    request, response: HttpResponse, customer_id: int, assessment_id: int, payload: AssessmentPatch
):
    user = request.auth
    customer = selectors.account_for(user, customer_id)
    assessment = selectors.assessment_for(user=user, customer=customer, pk=assessment_id)
    fields = payload.model_dump(exclude_unset=True)
    for name, value in fields.items():
        if value is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    with sync.if_match(request, assessment):
        services.assessment_update(by=user, assessment=assessment, **fields)
    assessment = selectors.assessment_for(user=user, customer=customer, pk=assessment_id)
    sync.set_etag(response, assessment)
    return _out(assessment)
