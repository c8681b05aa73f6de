"""API endpoints of the requirements app: requirements with acceptance criteria, baselines, and the checker.

Reads go through the selectors, writes through the services; every object is looked up through
``shinrai.core.access``. What the caller may not see answers 404. What the caller may see but not change
answers 403: a customer can already read the project at the same URL, so a 404 would hide nothing and
only mislead. Bad input, and changes while the customer reviews the requirements, answer 422 with
``{"detail": [{"field": ..., "message": ...}]}`` (see ``shinrai.api.urls``).

Requirements carry ``updated_at``: the list takes ``updated_since``, the detail an ``ETag`` (``If-None-Match``
answers 304), and changes take ``If-Match`` (412 when stale); see ``shinrai.api.sync``. Stakeholders and
goals are in ``api_goals``, the customer review in ``api_review``, the catalogue of non-functional templates
in ``api_catalogue``, on the same router.
No ``from __future__ import annotations``: ninja reads the list's query parameters through ``@paginate``'s
wrapper, where string annotations (``datetime``) cannot be resolved.
"""

from dataclasses import asdict
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict, field_validator

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.api.types import RowId
from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Visibility

from . import selectors, services, verifiability
from .models import AcceptanceCriterion, Requirement
from .sentences import sentence

router = Router(tags=["requirements"])

# The checker runs on every save and check; it is cheap, but not free: a page is plenty for one requirement.
# Checked in the views (``_limit_length``), where Django's validator says it in the reader's language.
MAX_TEXT_LENGTH = 5000
# A row id: larger numbers than the database's bigint would fail in the query (500) instead of answering 422.
UPDATED_SINCE = sync.updated_since_param()


# --- Schemas -------------------------------------------------------------------------------------------


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class CriterionIn(_Input):
    metric: str = Field(min_length=1, max_length=200)
    operator: AcceptanceCriterion.Operator
    threshold: str = Field(min_length=1, max_length=50)
    threshold_high: str = Field("", max_length=50, validate_default=True)
    unit: str = Field("", max_length=30)
    condition: str = Field("", max_length=300)
    method: str = Field(min_length=1, max_length=300)

    @field_validator("threshold_high")
    @classmethod
    def _range_needs_upper_bound(cls, value: str, info) -> str:
        if info.data.get("operator") == AcceptanceCriterion.Operator.BETWEEN and not value:
            raise ValueError(_("A range needs an upper threshold."))
        return value


def _blank_is_none(value):
    return None if value == "" else value


class RequirementIn(_Input):
    text: str = Field(min_length=1, json_schema_extra={"maxLength": MAX_TEXT_LENGTH})
    kind: Requirement.Kind = Requirement.Kind.FUNCTIONAL
    category: Requirement.Category | None = Field(
        None, description="Required for non-functional requirements"
    )
    priority: Requirement.Priority = Requirement.Priority.MUST
    visibility: Visibility = Visibility.CUSTOMER
    goal_id: RowId | None = None
    source_ids: list[RowId] = Field(default_factory=list, description="Stakeholders who asked for it")
    criteria: list[CriterionIn] = Field(default_factory=list)

    _category = field_validator("category", mode="before")(_blank_is_none)


class RequirementPatch(_Input):
    """Only the fields sent are changed; ``criteria``, when sent, replace all criteria."""

    # Defaults are not validated, so an omitted field stays unset while an explicit null is refused.
    text: str = Field(None, min_length=1, json_schema_extra={"maxLength": MAX_TEXT_LENGTH})
    kind: Requirement.Kind = None
    category: Requirement.Category | None = None
    priority: Requirement.Priority = None
    visibility: Visibility = None
    goal_id: RowId | None = None
    source_ids: list[RowId] = None
    criteria: list[CriterionIn] = None

    _category = field_validator("category", mode="before")(_blank_is_none)


class FindingOut(Schema):
    start: int = Field(description="Offset of the vague span in the text, in Unicode code points")
    end: int = Field(description="End of the span (exclusive), in Unicode code points")
    category: str = Field(examples=["unquantified"])
    message: str = Field(description="Why it is vague, in the reader's language")
    suggestion: str = Field(description="A rewrite pattern; 〇〇, △ and □ are placeholders")


class CriterionOut(Schema):
    id: int
    metric: str
    operator: str
    threshold: str
    threshold_high: str
    unit: str
    condition: str
    method: str
    sentence: str = Field(description="The criterion as one sentence, in the request's language")

    @staticmethod
    def resolve_sentence(obj) -> str:
        return sentence(obj, get_language())


class RequirementOut(Schema):
    id: int
    ref: str = Field(examples=["REQ-001"])
    text: str
    kind: str
    category: str | None
    priority: str
    status: str
    visibility: str
    goal_id: int | None
    source_ids: list[int]
    is_verifiable: bool
    findings: list[FindingOut]
    criteria: list[CriterionOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category or None

    @staticmethod
    def resolve_source_ids(obj) -> list[int]:
        return [source.id for source in obj.sources.all()]

    @staticmethod
    def resolve_findings(obj) -> list[dict]:
        return [_finding_out(finding) for finding in obj.findings]


class CheckIn(Schema):
    # Not stripped: the findings' offsets must match the text the caller sent (e.g. a form field).
    text: str = Field(json_schema_extra={"maxLength": MAX_TEXT_LENGTH})

    model_config = ConfigDict(extra="forbid")


class CheckOut(Schema):
    text: str
    language: str = Field(description="The language of the text: ja or en")
    verifiable: bool
    findings: list[FindingOut]


class BaselineOut(Schema):
    id: int
    version: int
    approved_by: str = Field(description="Display name of the customer who approved")
    approved_at: datetime
    content_hash: str = Field(description="SHA-256 of the canonical JSON of the approved requirements")
    requirement_count: int

    @staticmethod
    def resolve_approved_by(obj) -> str:
        return obj.approved_by.display_name

    @staticmethod
    def resolve_requirement_count(obj) -> int:
        return len(obj.content)


# --- Helpers -------------------------------------------------------------------------------------------


def _finding_out(finding: dict) -> dict:
    """A finding in the reader's language when the checker gave both, else in the requirement's language."""
    language = "ja" if get_language().startswith("ja") else "en"
    return {
        "start": finding["start"],
        "end": finding["end"],
        "category": finding["category"],
        "message": finding.get(f"message_{language}") or finding["message"],
        "suggestion": finding.get(f"suggestion_{language}") or finding["suggestion"],
    }


def _limit_length(text: str) -> None:
    try:
        MaxLengthValidator(MAX_TEXT_LENGTH)(text)
    except ValidationError as error:
        raise ValidationError({"text": error.error_list}) from error


def _require(role, perm: Perm) -> None:
    """The caller can see the project (or they would have had a 404); refuse what their role may not do."""
    if perm not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")


def _writable_requirement(user, requirement_id: int) -> Requirement:
    requirement = selectors.requirement_for(user=user, pk=requirement_id)
    _require(access.role_in(user, requirement.project), Perm.CONTRIBUTE)
    return requirement


def _loaded(user, requirement: Requirement) -> Requirement:
    """Re-read with criteria and only the sources this user may see (``requirement.sources`` has them all)."""
    return selectors.requirements_for(user=user, project=requirement.project).get(pk=requirement.pk)


def _relations(user, project, data: dict) -> dict:
    """Turn ``goal_id`` and ``source_ids`` into objects the user may see in this project."""
    fields = {}
    if "goal_id" in data:
        goal_id = data.pop("goal_id")
        goal = None
        if goal_id is not None:
            goal = selectors.goals_for(user=user, project=project).filter(pk=goal_id).first()
            if goal is None:
                raise ValidationError({"goal_id": _("Choose a goal of this project.")})
        fields["goal"] = goal
    if "source_ids" in data:
        source_ids = set(data.pop("source_ids"))
        sources = list(selectors.stakeholders_for(user=user, project=project).filter(pk__in=source_ids))
        if len(sources) != len(source_ids):
            raise ValidationError({"source_ids": _("Choose stakeholders of this project.")})
        fields["sources"] = sources
    return fields


def _kind_and_category(kind: str, category: str | None) -> str:
    """The category that goes with the kind: required when non-functional, dropped when functional."""
    if kind == Requirement.Kind.FUNCTIONAL:
        return ""
    if not category:
        raise ValidationError({"category": _("Choose the category of a non-functional requirement.")})
    return category


def _renamed(error: ValidationError) -> ValidationError:
    """Name the services' fields as this API does."""
    if not hasattr(error, "error_dict"):
        return error
    names = {"goal": "goal_id", "sources": "source_ids"}
    return ValidationError({names.get(field, field): errors for field, errors in error.error_dict.items()})


# --- Requirements --------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/requirements",
    response=list[RequirementOut],
    summary="Requirements of a project, with acceptance criteria and findings",
)
@paginate(Pagination)
def list_requirements(request, project_id: int, updated_since: datetime | None = UPDATED_SINCE):
    project, _role = access.project_for(request.auth, project_id)
    return sync.since(selectors.requirements_for(user=request.auth, project=project), updated_since)


@router.post(
    "/projects/{int:project_id}/requirements",
    response={201: RequirementOut},
    summary="Add a requirement (vendor roles; 403 for others who can see the project)",
)
def create_requirement(request, project_id: int, payload: RequirementIn):
    """Add a requirement with its acceptance criteria; it gets the next number (REQ-001, …).

    404 when the project is not visible; 403 when it is but the role may not contribute (customers,
    partners); 422 on bad input or while the customer reviews the requirements.
    """
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    _limit_length(payload.text)
    data = payload.model_dump()
    fields = _relations(user, project, data)
    data["category"] = _kind_and_category(data["kind"], data["category"])
    try:
        requirement = services.requirement_create(by=user, project=project, **fields, **data)
    except ValidationError as error:
        raise _renamed(error) from error
    return Status(201, _loaded(user, requirement))


@router.get("/requirements/{int:requirement_id}", response=RequirementOut, summary="One requirement")
def get_requirement(request, response: HttpResponse, requirement_id: int):
    """The ``ETag`` header names this state (``If-None-Match`` answers 304)."""
    requirement = selectors.requirement_for(user=request.auth, pk=requirement_id)
    if unchanged := sync.not_modified(request, requirement):
        return unchanged
    sync.set_etag(response, requirement)
    return _loaded(request.auth, requirement)


@router.patch(
    "/requirements/{int:requirement_id}",
    response=RequirementOut,
    summary="Change some fields of a requirement",
)
def update_requirement(request, response: HttpResponse, requirement_id: int, payload: RequirementPatch):
    """Change the fields sent; ``criteria``, when sent, replace all acceptance criteria.

    A change to an approved requirement sends it back to draft. 403 for roles that may not contribute;
    422 on bad input or while the customer reviews the requirements; 412 when ``If-Match`` names an
    older state (someone changed it since it was read).
    """
    user = request.auth
    requirement = _writable_requirement(user, requirement_id)
    data = payload.model_dump(exclude_unset=True)
    if "text" in data:
        _limit_length(data["text"])
    fields = _relations(user, requirement.project, data)
    if "kind" in data or "category" in data:
        data["category"] = _kind_and_category(
            data.get("kind", requirement.kind), data.get("category", requirement.category)
        )
    try:
        with sync.if_match(request, requirement):
            services.requirement_update(by=user, requirement=requirement, **fields, **data)
    except ValidationError as error:
        raise _renamed(error) from error
    sync.set_etag(response, requirement)
    return _loaded(user, requirement)


@router.post(
    "/requirements/{int:requirement_id}/withdraw",
    response=RequirementOut,
    summary="Take a requirement out of scope (vendor roles); its number is never reused",
)
def withdraw_requirement(request, response: HttpResponse, requirement_id: int):
    """Like "withdraw" on the requirements page. Withdrawing a withdrawn requirement changes nothing.

    403 for roles that may not contribute; 422 while the customer reviews the requirements; 412 when
    ``If-Match`` names an older state.
    """
    user = request.auth
    requirement = _writable_requirement(user, requirement_id)
    with sync.if_match(request, requirement):
        # A retried call must not add a second audit event or move updated_at.
        if requirement.status != Requirement.Status.WITHDRAWN:
            services.requirement_withdraw(by=user, requirement=requirement)
    sync.set_etag(response, requirement)
    return _loaded(user, requirement)


@router.post(
    "/requirements/{int:requirement_id}/criteria",
    response={201: RequirementOut},
    summary="Add one acceptance criterion to a requirement",
)
def add_criterion(request, requirement_id: int, payload: CriterionIn):
    """Append a criterion; answers with the whole requirement (criteria are renumbered on every change)."""
    user = request.auth
    with transaction.atomic():
        requirement = _writable_requirement(user, requirement_id)
        # Lock the requirement so that two criteria added at once both survive the read-modify-write.
        Requirement.objects.select_for_update().filter(pk=requirement.pk).first()
        criteria = [*selectors.criteria_snapshot(requirement.criteria.all()), payload.model_dump()]
        services.requirement_update(by=user, requirement=requirement, criteria=criteria)
    return Status(201, _loaded(user, requirement))


@router.delete(
    "/criteria/{int:criterion_id}", response={204: None}, summary="Remove one acceptance criterion"
)
def delete_criterion(request, criterion_id: int):
    user = request.auth
    with transaction.atomic():
        criterion = selectors.criterion_for(user=user, pk=criterion_id)
        requirement = criterion.requirement
        _require(access.role_in(user, requirement.project), Perm.CONTRIBUTE)
        Requirement.objects.select_for_update().filter(pk=requirement.pk).first()
        others = requirement.criteria.exclude(pk=criterion.pk)
        services.requirement_update(
            by=user, requirement=requirement, criteria=selectors.criteria_snapshot(others)
        )
    return Status(204, None)


# --- Verifiability checker -----------------------------------------------------------------------------


@router.post("/verifiability", response=CheckOut, summary="Find vague wording in a requirement's text")
def check_verifiability(request, payload: CheckIn):
    """Check a text without saving it: any signed-in user or token may use it."""
    _limit_length(payload.text)
    findings = [_finding_out(asdict(finding)) for finding in verifiability.check(payload.text)]
    return {
        "text": payload.text,
        "language": verifiability.detect_language(payload.text),
        "verifiable": not findings,
        "findings": findings,
    }


# --- Baselines -----------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/baselines",
    response=list[BaselineOut],
    summary="Customer-approved baselines of a project, newest first",
)
@paginate(Pagination)
def list_baselines(request, project_id: int):
    project, _role = access.project_for(request.auth, project_id)
    return selectors.baselines_for(user=request.auth, project=project)


# Stakeholders and goals, the customer review and the template catalogue decorate the same router (kept
# apart for length).
from . import api_catalogue, api_goals, api_review  # noqa: E402, F401
