"""API endpoints for the customer review of the requirements: the second half of the requirements
workspace and the customer's portal. Part of ``api.router`` (imported by ``shinrai.requirements.api``).

The cycle, with who may do each step (as on the pages):
- the vendor's PM or manager sends the requirements for review, or withdraws the review to change them;
- while a review is open, customers comment on requirements (sponsor and members) and the customer
  sponsor approves, which fixes the requirements as a new baseline;
- everyone on the project reads the open review, the comments and the changes since the last baseline.
There is no "decline" on the portal: a customer who disagrees comments, and the PM withdraws and revises.
A step that does not fit the review's state (no review open, one open already) answers 422.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from shinrai.api.pagination import Pagination
from shinrai.core import access
from shinrai.core.access import Perm

from . import selectors, services
from .api import BaselineOut, RowId, _Input, _require, router
from .models import Review, ReviewComment

# --- Schemas -------------------------------------------------------------------------------------------


class ReviewOut(Schema):
    id: int
    status: str = Field(description="open, approved or withdrawn")
    submitted_by: str = Field(description="Display name of who sent the requirements for review")
    submitted_at: datetime
    message: str = Field(description="The message to the customer")
    decided_at: datetime | None

    @staticmethod
    def resolve_submitted_by(obj) -> str:
        return obj.submitted_by.display_name


class ReviewSubmitIn(_Input):
    message: str = Field("", description="Message to the customer")


class ApproveIn(_Input):
    confirm: bool = Field(
        description="Must be true: the sponsor confirms having read the requirements and their criteria"
    )

    @field_validator("confirm")
    @classmethod
    def _must_confirm(cls, value: bool) -> bool:
        if not value:
            raise ValueError(_("Please confirm that you have read the requirements."))
        return value


class CommentIn(_Input):
    body: str = Field(min_length=1, max_length=4000)


class CommentOut(Schema):
    id: int
    requirement_id: int
    requirement_ref: str = Field(examples=["REQ-001"])
    review_id: int
    author: str = Field(description="Display name of who wrote it")
    body: str
    created_at: datetime

    @staticmethod
    def resolve_requirement_ref(obj) -> str:
        return obj.requirement.ref

    @staticmethod
    def resolve_author(obj) -> str:
        return obj.author.display_name


class SegmentOut(Schema):
    op: str = Field(description="same, added or removed")
    text: str


class ChangeOut(Schema):
    ref: str = Field(examples=["REQ-003"])
    kind: str = Field(description="added, changed or removed")
    fields: list[str] = Field(
        description="For a change: the fields that changed (text, priority, criteria, …)"
    )
    text: str = Field(description="The requirement's text now (its last approved text when removed)")
    text_diff: list[SegmentOut] = Field(
        description="For a changed text: the word diff from the approved text"
    )
    criteria_old: list[str] = Field(description="When criteria changed: the approved ones, as sentences")
    criteria_new: list[str] = Field(description="When criteria changed: the current ones, as sentences")

    @staticmethod
    def resolve_text(obj) -> str:
        return (obj.new or obj.old)["text"]


ONLY_REQUIREMENT = Query(None, description="Only the comments on this requirement")


# --- Helpers -------------------------------------------------------------------------------------------


def _open_review(project) -> Review:
    review = selectors.open_review(project=project)
    if review is None:
        raise ValidationError(_("There is no review open at the moment."))
    return review


# --- Reading -------------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/requirements/review",
    response={200: ReviewOut | None},
    summary="The review waiting for the customer, or null when none is open",
)
def get_requirements_review(request, project_id: int):
    project, _role = access.project_for(request.auth, project_id)
    return selectors.open_review(project=project)


@router.get(
    "/projects/{int:project_id}/requirements/comments",
    response=list[CommentOut],
    summary="Customers' review comments on the requirements you may see, oldest first",
)
@paginate(Pagination)
def list_requirement_comments(request, project_id: int, requirement_id: RowId | None = ONLY_REQUIREMENT):
    project, _role = access.project_for(request.auth, project_id)
    visible = selectors.requirements_for(user=request.auth, project=project)
    if requirement_id is not None:
        visible = visible.filter(pk=requirement_id)
    return ReviewComment.objects.filter(requirement__in=visible).select_related("requirement", "author")


@router.get(
    "/projects/{int:project_id}/requirements/changes",
    response=list[ChangeOut],
    summary="Requirements added, changed or removed since the latest baseline (empty before the first)",
)
def list_requirement_changes(request, project_id: int):
    """What needs the customer's approval again; only requirements you may see, sentences in your language."""
    user = request.auth
    project, _role = access.project_for(user, project_id)
    baseline = selectors.latest_baseline(project=project)
    return selectors.changes_since_baseline(user=user, project=project, baseline=baseline)


# --- The review cycle ----------------------------------------------------------------------------------


@router.post(
    "/projects/{int:project_id}/requirements/review",
    response={201: ReviewOut},
    summary="Send the requirements to the customer for review (vendor PM and manager)",
)
def submit_requirements_review(request, project_id: int, payload: ReviewSubmitIn):
    """Every requirement in scope and shared with the customer goes to "in review"; they cannot be changed
    until the customer approves or the review is withdrawn.

    403 for other roles who can see the project; 422 when a review is open already or nothing is shared
    with the customer.
    """
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.EDIT)
    review = services.review_submit(by=user, project=project, message=payload.message)
    return Status(201, review)


@router.post(
    "/projects/{int:project_id}/requirements/review/withdraw",
    response=ReviewOut,
    summary="Take the requirements back from the customer to change them (vendor PM and manager)",
)
def withdraw_requirements_review(request, project_id: int):
    """The requirements in review go back to draft. 422 when no review is open."""
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.EDIT)
    return services.review_withdraw(by=user, review=_open_review(project))


@router.post(
    "/projects/{int:project_id}/requirements/review/approve",
    response={201: BaselineOut},
    summary="Approve the requirements in review (customer sponsor): they become a new baseline",
)
def approve_requirements_review(request, project_id: int, payload: ApproveIn):
    """Like "approve these requirements" on the portal, with ``confirm: true`` for its check box.

    The requirements in review become "approved" and are fixed, with their SHA-256, as the next baseline
    version. 403 for other roles who can see the project; 422 when no review is open.
    """
    user = request.auth
    project, role = access.project_for(user, project_id)
    _require(role, Perm.DECIDE)
    baseline = services.review_approve(by=user, review=_open_review(project))
    return Status(201, baseline)


@router.post(
    "/requirements/{int:requirement_id}/comments",
    response={201: CommentOut},
    summary="Comment on a requirement during the customer's review (customer sponsor and members)",
)
def create_requirement_comment(request, requirement_id: int, payload: CommentIn):
    """A question or remark for the project team. 403 for roles that may not comment (vendor roles and
    partners); 422 when no review is open."""
    user = request.auth
    requirement = selectors.requirement_for(user=user, pk=requirement_id)
    _require(access.role_in(user, requirement.project), Perm.COMMENT)
    comment = services.review_comment(
        by=user, review=_open_review(requirement.project), requirement=requirement, body=payload.body
    )
    return Status(201, comment)
