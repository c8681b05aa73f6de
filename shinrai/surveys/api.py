"""API: survey templates, rounds, invitations and answers by token (conventions of shinrai/ledger/api.py).

Templates: vendor users read the shipped ones and their vendor's; managers and PMs copy and change them
(403 for other vendor users, 404 for everyone else). Rounds are vendor-internal: vendor roles of the project
read them, PM and managers send, remind and close (403 for vendor members; 404 for customers and partners).
The answer endpoints by token need no account: the token is the credential (404 unknown or replaced, 410
answered, closed or expired). The signed-in person a survey was sent to answers it the same way through
``/projects/{project_id}/survey-invitations/{invitation_id}`` (the portal's form; 404 for everyone else).

No ETag on templates: they have a ``version`` but no ``updated_at``, and an unused template is changed in
place without a new version, so a version-based ETag would answer "not modified" after a real change. A PUT
names the version it read instead, and answers 409 when that is no longer the template's current version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.api.types import RowId
from shinrai.core import access
from shinrai.core.access import Perm

from . import selectors, services
from .forms import SurveyForm
from .models import LIKERT_LABELS, NPS_ENDS, QuestionKind, Survey, SurveyTemplate
from .selectors import InvitationState

router = Router(tags=["surveys"])


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class QuestionOut(Schema):
    code: str = Field(description="Stays the same across versions of a template (A1 … D3, NPS, COMMENT)")
    position: int
    category: str = Field(description="A, B, C, D, NPS or COMMENT")
    facet: str = Field(description="logical or emotional for 1–5 questions; empty otherwise")
    kind: str = Field(description="likert (1–5), nps (0–10) or text")
    text_ja: str
    text_en: str
    required: bool


class TemplateSummaryOut(Schema):
    id: int
    name: str
    description: str
    version: int
    is_current: bool
    builtin: bool = Field(description="Ships with Shinrai: read-only, copy it to change it")
    lineage: str = Field(description="Shared by every version of one template")
    question_count: int
    survey_count: int


class VersionOut(Schema):
    id: int
    version: int
    is_current: bool
    survey_count: int


class TemplateOut(TemplateSummaryOut):
    questions: list[QuestionOut]
    versions: list[VersionOut]


class CopyIn(_Input):
    name: str = Field("", max_length=200, description="Empty for “Copy of …”")


class QuestionIn(_Input):
    code: str = Field(min_length=1, max_length=16, description="1–16 capital letters, digits or _, e.g. A1")
    kind: QuestionKind = Field(description="likert (1–5), nps (0–10) or text")
    category: str = Field(
        "", max_length=8, description="A, B, C or D for likert questions; ignored for nps and text"
    )
    facet: str = Field("", max_length=10, description="logical or emotional for likert questions")
    text_ja: str = Field("", max_length=300)
    text_en: str = Field("", max_length=300, description="At least one of text_ja and text_en")
    required: bool = True


class TemplateIn(_Input):
    version: int = Field(
        ge=1, le=2**31 - 1, description="The version you read: 409 when it is no longer the current one"
    )
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    questions: list[QuestionIn] = Field(
        min_length=1, max_length=services.MAX_QUESTIONS, description="In the order they are asked"
    )


class InvitationOut(Schema):
    id: int
    email: str
    name: str
    recipient: int | None
    language: str
    sent_at: datetime | None
    opened_at: datetime | None
    reminder_count: int
    reminded_at: datetime | None
    responded_at: datetime | None = Field(description="Day only (00:00 Japan time) for anonymous surveys")
    expires_at: datetime


class SurveyOut(Schema):
    id: int
    project: int
    round: int | None = Field(None, description="1 for the first survey sent on the project")
    title: str
    kind: str = Field(description="post_delivery or pulse")
    template: int
    template_version: int
    milestone: int | None
    anonymous: bool
    status: str = Field(description="open or closed")
    sent_at: datetime | None
    closes_at: datetime | None = Field(description="Answers are taken until this time (exclusive)")
    closed_at: datetime | None
    invited_count: int
    response_count: int


class SurveyDetailOut(SurveyOut):
    invitations: list[InvitationOut]


# A row id: larger numbers than the database's bigint would fail in the query (500) instead of answering 422.


class SurveyIn(_Input):
    template: RowId = Field(description="A current template version usable by the project's vendor")
    kind: str = Field("pulse", description="post_delivery or pulse")
    title: str = Field(min_length=1, max_length=200)
    anonymous: bool = False
    answer_until: date | None = Field(None, description="Last day for answers (Japan); default in 14 days")
    milestone: RowId | None = Field(None, description="A milestone of the project")
    recipients: list[RowId] = Field(default_factory=list, description="User ids of the customer's members")
    extra_emails: list[str] = Field(default_factory=list, description="Other addresses; duplicates merged")


class RemindOut(Schema):
    reminded: int


class ScaleLabel(Schema):
    value: int
    ja: str
    en: str


class AnswerSheetOut(Schema):
    survey: str
    project: str
    vendor: str
    anonymous: bool
    answer_until: date | None = Field(description="Last day for answers (Japan time)")
    likert_labels: list[ScaleLabel]
    nps_labels: list[ScaleLabel]
    questions: list[QuestionOut]
    draft: dict[str, Any] = Field(description="Answers saved so far, by question code")


class AnswerIn(_Input):
    answers: dict[str, Any] = Field(
        default_factory=dict, description="By question code: 1–5, 0–10 or text; missing = not answered"
    )
    submit: bool = Field(False, description="false: save to continue later; true: submit (single use)")


class AnswerResultOut(Schema):
    submitted: bool
    draft: dict[str, Any]


def _require(role, perm: Perm) -> None:
    if perm not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")


def _question_out(q) -> dict:
    return {
        "code": q.code,
        "position": q.position,
        "category": q.category,
        "facet": q.facet,
        "kind": q.kind,
        "text_ja": q.text_ja,
        "text_en": q.text_en,
        "required": q.required,
    }


def _template_summary(t: SurveyTemplate) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "description": t.description,
        "version": t.version,
        "is_current": t.is_current,
        "builtin": t.is_builtin,
        "lineage": str(t.lineage),
        "question_count": getattr(t, "question_count", None) or 0,
        "survey_count": getattr(t, "survey_count", None) or 0,
    }


def _template_out(t: SurveyTemplate) -> dict:
    questions = selectors.questions_of(t)
    versions = selectors.template_versions(t)
    used = next((v.survey_count for v in versions if v.pk == t.pk), 0)
    return _template_summary(t) | {
        "question_count": len(questions),
        "survey_count": used,
        "questions": [_question_out(q) for q in questions],
        "versions": [
            {"id": v.pk, "version": v.version, "is_current": v.is_current, "survey_count": v.survey_count}
            for v in versions
        ],
    }


def _survey_out(s: Survey, round_number: int | None = None) -> dict:
    return {
        "id": s.pk,
        "project": s.project_id,
        "round": round_number if round_number is not None else getattr(s, "round_number", None),
        "title": s.title,
        "kind": s.kind,
        "template": s.template_id,
        "template_version": s.template.version,
        "milestone": s.milestone_id,
        "anonymous": s.anonymous,
        "status": s.status,
        "sent_at": s.sent_at,
        "closes_at": s.closes_at,
        "closed_at": s.closed_at,
        "invited_count": s.invited_count,
        "response_count": s.response_count,
    }


def _invitation_out(i) -> dict:
    return {
        "id": i.pk,
        "email": i.email,
        "name": i.name,
        "recipient": i.recipient_id,
        "language": i.language,
        "sent_at": i.sent_at,
        "opened_at": i.opened_at,
        "reminder_count": i.reminder_count,
        "reminded_at": i.reminded_at,
        "responded_at": i.responded_at,
        "expires_at": i.expires_at,
    }


def _survey_detail(survey: Survey) -> dict:
    return _survey_out(survey) | {
        "invitations": [_invitation_out(i) for i in selectors.invitations_of(survey)]
    }


# --- Templates ---------------------------------------------------------------------------------------------


@router.get(
    "/survey-templates",
    response=list[TemplateSummaryOut],
    summary="Survey templates: the current versions of the shipped ones and of your vendor's (vendor users)",
)
@paginate(Pagination)
def list_survey_templates(request):
    user = request.auth
    if not selectors.can_read_templates(user):
        return []
    return [_template_summary(t) for t in selectors.template_list_for(user)]


@router.get(
    "/survey-templates/{int:template_id}",
    response=TemplateOut,
    summary="One template version with its questions and every version of the template",
)
def get_survey_template(request, response: HttpResponse, template_id: int):
    """The ``ETag`` header names this state (with its questions); send it as ``If-Match`` when changing it."""
    template = selectors.template_for(request.auth, template_id)
    sync.set_etag(response, template)
    return _template_out(template)


@router.post(
    "/survey-templates/{int:template_id}/copy",
    response={201: TemplateOut},
    summary="Copy a template into your vendor's own (vendor managers and PMs; 403 for other vendor users)",
)
def copy_survey_template(request, template_id: int, payload: CopyIn | None = None):
    user = request.auth
    template = selectors.template_for(user, template_id)
    if not selectors.can_edit_templates(user):
        raise HttpError(403, "Forbidden")
    copy = services.template_copy(by=user, template=template, name=payload.name if payload else "")
    return Status(201, _template_out(copy))


@router.put(
    "/survey-templates/{int:template_id}",
    response=TemplateOut,
    summary="Change a template's name, description and questions; a template already sent becomes a new "
    "version, whose id the answer carries (vendor managers and PMs; 403 for other vendor users and for the "
    "shipped templates; 409 when the version you read is no longer the current one)",
)
def update_survey_template(request, response: HttpResponse, template_id: int, payload: TemplateIn):
    """412 when ``If-Match`` names an older state of this version (changed in place since it was read)."""
    user = request.auth
    template = selectors.template_for(user, template_id)
    if not selectors.can_edit_templates(user):
        raise HttpError(403, "Forbidden")
    if template.is_builtin:
        raise HttpError(403, _("A template that ships with Shinrai cannot be changed: make a copy."))
    with sync.if_match(request, template):
        if not template.is_current or payload.version != template.version:
            # Someone saved a newer version since the caller read this one: their change would be lost.
            current = selectors.template_versions(template)[0]
            raise HttpError(
                409,
                _("This template is now at version %(n)d (id %(id)d). Read it again and redo your change.")
                % {"n": current.version, "id": current.pk},
            )
        result = services.template_update(
            by=user,
            template=template,
            name=payload.name,
            description=payload.description,
            questions=[services.QuestionInput(**question.model_dump()) for question in payload.questions],
        )
    fresh = selectors.template_for(user, result.pk)
    sync.set_etag(response, fresh)
    return _template_out(fresh)


# --- Survey rounds -----------------------------------------------------------------------------------------


@router.get(
    "/projects/{int:project_id}/surveys",
    response=list[SurveyOut],
    summary="The project's survey rounds, newest first (vendor roles)",
)
@paginate(Pagination)
def list_project_surveys(request, project_id: int):
    user = request.auth
    project, _role = selectors.survey_project_for(user, project_id)
    return [_survey_out(s) for s in selectors.surveys_for(user=user, project=project)]


@router.post(
    "/projects/{int:project_id}/surveys",
    response={201: SurveyDetailOut},
    summary="Send a survey: one invitation with its own link per recipient, e-mailed at once "
    "(vendor PM and manager; 403 for vendor members)",
)
def create_project_survey(request, project_id: int, payload: SurveyIn):
    user = request.auth
    project, role = selectors.survey_project_for(user, project_id)
    _require(role, Perm.EDIT)
    form = SurveyForm(
        {
            "template": payload.template,
            "kind": payload.kind,
            "title": payload.title,
            "anonymous": "on" if payload.anonymous else "",
            "answer_until": (payload.answer_until or services.default_answer_until()).isoformat(),
            "milestone": payload.milestone or "",
            "recipients": [str(pk) for pk in payload.recipients],
            "extra_emails": "\n".join(payload.extra_emails),
        },
        project=project,
    )
    if not form.is_valid():
        raise ValidationError(
            {field: [str(message) for message in messages] for field, messages in form.errors.items()}
        )
    survey = services.survey_send(by=user, project=project, **form.send_kwargs())
    return Status(201, _survey_detail(selectors.survey_for(user=user, project=project, pk=survey.pk)))


@router.get(
    "/surveys/{int:survey_id}",
    response=SurveyDetailOut,
    summary="One survey round with its invitations: sent, opened, reminded, answered (vendor roles)",
)
def get_survey(request, survey_id: int):
    survey, _role = selectors.survey_by_id(request.auth, survey_id)
    return _survey_detail(survey)


@router.post(
    "/surveys/{int:survey_id}/remind",
    response=RemindOut,
    summary="Send a new link to everyone who has not answered, at most 3 times each; old links stop working "
    "(vendor PM and manager; 403 for vendor members)",
)
def remind_survey(request, survey_id: int):
    user = request.auth
    survey, role = selectors.survey_by_id(user, survey_id)
    _require(role, Perm.EDIT)
    return {"reminded": services.survey_remind(by=user, survey=survey)}


@router.post(
    "/surveys/{int:survey_id}/close",
    response=SurveyOut,
    summary="Close a survey round: its links no longer take answers (vendor PM and manager; 403 for vendor "
    "members; 422 when it is already closed)",
)
def close_survey(request, survey_id: int):
    user = request.auth
    survey, role = selectors.survey_by_id(user, survey_id)
    _require(role, Perm.EDIT)
    services.survey_close(by=user, survey=survey)
    return _survey_out(selectors.survey_for(user=user, project=survey.project, pk=survey.pk))


# --- Answering by token (no account) -----------------------------------------------------------------------

_GONE = {
    InvitationState.ANSWERED: gettext_noop("Thank you: your answer is already recorded."),
    InvitationState.CLOSED: gettext_noop("This survey is closed."),
    InvitationState.EXPIRED: gettext_noop("This link has expired."),
}


def _open_invitation(token: str):
    invitation = selectors.invitation_for_token(token)
    state = selectors.invitation_state(invitation)
    if state != InvitationState.OPEN:
        raise HttpError(410, _(_GONE[state]))
    return invitation


def _raise_answer_errors(errors: dict[str, str]) -> None:
    raise ValidationError({f"answers.{code}": [message] for code, message in errors.items()})


def _answer_sheet(invitation) -> dict:
    services.invitation_mark_opened(invitation)
    survey = invitation.survey
    return {
        "survey": survey.title,
        "project": survey.project.name,
        "vendor": survey.project.vendor_org.name,
        "anonymous": survey.anonymous,
        "answer_until": services.last_answer_day(survey),
        "likert_labels": [{"value": v, "ja": ja, "en": en} for v, (ja, en) in LIKERT_LABELS.items()],
        "nps_labels": [{"value": v, "ja": ja, "en": en} for v, (ja, en) in NPS_ENDS.items()],
        "questions": [_question_out(q) for q in selectors.questions_of(survey.template_id)],
        "draft": invitation.draft or {},
    }


def _answer(invitation, payload: AnswerIn) -> dict:
    """Save or submit the answers, with the same checks whether the link or the portal brought them."""
    questions = selectors.questions_of(invitation.survey.template_id)
    unknown = {code for code in payload.answers if code not in {q.code for q in questions}}
    if unknown:
        _raise_answer_errors(
            {code: _("There is no question %(code)s in this survey.") % {"code": code} for code in unknown}
        )
    try:
        if payload.submit:
            response, errors = services.response_submit(
                invitation=invitation, questions=questions, raw=payload.answers, strict=True
            )
            if errors:
                _raise_answer_errors(errors)
            return {"submitted": True, "draft": {}}
        errors = services.invitation_save_draft(
            invitation=invitation, questions=questions, raw=payload.answers
        )
    except services.InvitationClosed as closed:
        raise HttpError(410, _(_GONE[closed.state])) from None
    if errors:
        _raise_answer_errors(errors)
    invitation.refresh_from_db(fields=["draft"])
    return {"submitted": False, "draft": invitation.draft}


@router.get(
    "/survey-answers/{token}",
    response=AnswerSheetOut,
    auth=None,
    summary="The questions behind an invitation link, and the answers saved so far (no account: the token "
    "is the credential; 404 unknown or replaced, 410 answered, closed or expired)",
)
def get_survey_answer(request, token: str):
    return _answer_sheet(_open_invitation(token))


@router.post(
    "/survey-answers/{token}",
    response=AnswerResultOut,
    auth=None,
    summary="Save answers to continue later (submit: false) or submit them once (submit: true); "
    "422 names each question to fix; 404/410 as for GET",
)
def post_survey_answer(request, token: str, payload: AnswerIn):
    return _answer(_open_invitation(token), payload)


# --- Answering in the portal (the signed-in recipient) ------------------------------------------------------


class MyInvitationOut(Schema):
    id: int
    survey: int
    title: str
    answer_until: date = Field(description="Last day for answers (Japan time)")
    opened_at: datetime | None
    has_draft: bool = Field(description="Answers were saved to continue later")


def _recipient_invitation(request, project_id: int, invitation_id: int):
    """The caller's own invitation (404 for anyone else), still taking answers (else 410)."""
    invitation = selectors.invitation_for_recipient(request.auth, project_id, invitation_id)
    state = selectors.invitation_state(invitation)
    if state != InvitationState.OPEN:
        raise HttpError(410, _(_GONE[state]))
    return invitation


@router.get(
    "/projects/{int:project_id}/survey-invitations",
    response=list[MyInvitationOut],
    summary="The surveys on this project waiting for your answer, soonest deadline first (the people they "
    "were sent to; empty for everyone else)",
)
@paginate(Pagination)
def list_my_survey_invitations(request, project_id: int):
    user = request.auth
    project, _role = access.project_for(user, project_id)
    return [
        {
            "id": invitation.pk,
            "survey": invitation.survey_id,
            "title": invitation.survey.title,
            "answer_until": invitation.last_day,
            "opened_at": invitation.opened_at,
            "has_draft": bool(invitation.draft),
        }
        for invitation in selectors.open_invitations_for(user, project)
    ]


@router.get(
    "/projects/{int:project_id}/survey-invitations/{int:invitation_id}",
    response=AnswerSheetOut,
    summary="Your invitation's questions and the answers you saved so far (only the person it was sent to; "
    "404 for everyone else, 410 answered, closed or expired)",
)
def get_survey_invitation_answer(request, project_id: int, invitation_id: int):
    return _answer_sheet(_recipient_invitation(request, project_id, invitation_id))


@router.post(
    "/projects/{int:project_id}/survey-invitations/{int:invitation_id}",
    response=AnswerResultOut,
    summary="Save your answers to continue later (submit: false) or submit them once (submit: true), as "
    "in the portal (only the person it was sent to; 422 names each question to fix; 404/410 as for GET)",
)
def post_survey_invitation_answer(request, project_id: int, invitation_id: int, payload: AnswerIn):
    return _answer(_recipient_invitation(request, project_id, invitation_id), payload)
