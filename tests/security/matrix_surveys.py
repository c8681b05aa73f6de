"""Access expectations: Survey templates, rounds, invitations and answering (pages and API).

Templates belong to a vendor (or ship with Shinrai): every vendor user reads the shipped ones and their own
vendor's, vendor managers and the PMs of a project of that vendor copy and change them (403 for the other
vendor users), nobody else sees them (404). Survey rounds are vendor-internal: vendor roles of the project
read them, PM and managers send, remind and close. The answer page and the answer API need no account: the
token is the credential, so every role (and anonymous) gets the same answer. The portal form is only for the
person the invitation was sent to.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .matrix import (
    CAN_EDIT,
    CAN_SEE_INTERNAL,
    PROJECT_TARGETS,
    VENDOR_USERS,
    Expect,
    api_write,
    page,
    page_post,
    project_kwargs,
    project_page,
)

TEMPLATE_TARGETS = ("own", "foreign", "shipped")
TEMPLATE_READERS = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "vendor_admin"},
    "foreign": {"other_vendor_manager"},
    "shipped": VENDOR_USERS,
}
TEMPLATE_EDITORS = {
    "own": {"vendor_manager", "vendor_pm"},
    "foreign": {"other_vendor_manager"},
    "shipped": {"vendor_manager", "vendor_pm", "other_vendor_manager"},
}
_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}


def _shipped():
    from shinrai.surveys.defaults import PULSE_LINEAGE
    from shinrai.surveys.models import SurveyTemplate

    return SurveyTemplate.objects.get(lineage=PULSE_LINEAGE, is_current=True)


def template_kwargs(cast, target, user):
    from shinrai.surveys import services

    if target == "shipped":
        return {"template_id": _shipped().pk}
    author = cast.users["vendor_pm" if target == "own" else "other_vendor_manager"]
    return {"template_id": services.template_copy(by=author, template=_shipped()).pk}


def template_status(success: int, *, shipped_success: int | None = None, anonymous: int = 302):
    """Editors get ``success`` (``shipped_success`` on a shipped template), other readers 403, others 404."""

    def status(role, target):
        if role == "anonymous":
            return anonymous
        if role in TEMPLATE_EDITORS[target]:
            return shipped_success if target == "shipped" and shipped_success is not None else success
        return 403 if role in TEMPLATE_READERS[target] else 404

    return status


def template_read_status(anonymous: int = 302):
    def status(role, target):
        if role == "anonymous":
            return anonymous
        return 200 if role in TEMPLATE_READERS[target] else 404

    return status


def _survey_and_token(cast, target):
    """A survey on the target project with one invitation (to a customer of that project where there is
    one), and the clear token of its link."""
    from shinrai.surveys import services
    from shinrai.surveys.models import Invitation, Survey

    project = getattr(cast, target)
    now = timezone.now()
    survey = Survey.objects.create(
        project=project,
        template=_shipped(),
        kind="pulse",
        title="調査",
        status="open",
        sent_at=now,
        closes_at=now + timedelta(days=14),
        created_by=cast.users[_AUTHOR[target]],
        invited_count=1,
    )
    recipient = cast.users["outsider_customer" if target == "other" else "customer_sponsor"]
    token, digest = services.new_token()
    invitation = Invitation.objects.create(
        survey=survey,
        recipient=recipient,
        email=recipient.email,
        token_digest=digest,
        expires_at=survey.closes_at,
        sent_at=now,
    )
    return survey, invitation, token


def survey_kwargs(cast, target, user):
    survey, _invitation, _token = _survey_and_token(cast, target)
    return {"pk": survey.project_id, "survey_id": survey.pk}


def api_survey_kwargs(cast, target, user):
    survey, _invitation, _token = _survey_and_token(cast, target)
    return {"survey_id": survey.pk}


def token_kwargs(cast, target, user):
    _survey, _invitation, token = _survey_and_token(cast, target)
    return {"token": token}


def portal_answer_kwargs(cast, target, user):
    survey, invitation, _token = _survey_and_token(cast, target)
    return {"pk": survey.project_id, "invitation_id": invitation.pk}


# The invitation's recipient on each target: customer_sponsor on "own", outsider_customer on "other"; on
# "foreign" it names customer_sponsor, who is not a member there: 404 like everyone else.
RECIPIENT = {"own": {"customer_sponsor"}, "other": {"outsider_customer"}, "foreign": set()}


def _new_survey_data(cast, target, user):
    return {"template": _shipped().pk, "title": "調査", "extra_emails": ["guest@example.com"]}


EXPECTATIONS: dict[str, Expect] = {
    "surveys:templates": Expect(
        lambda role, target: 302 if role == "anonymous" else 200 if role in VENDOR_USERS else 404
    ),
    "surveys:template_detail": Expect(template_read_status(), template_kwargs, TEMPLATE_TARGETS),
    # shipped templates: editors are sent back to the detail page with a message (302)
    "surveys:template_edit": Expect(
        template_status(200, shipped_success=302), template_kwargs, TEMPLATE_TARGETS
    ),
    "surveys:template_copy": Expect(template_status(302), template_kwargs, TEMPLATE_TARGETS, method="post"),
    "surveys:list": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "surveys:new": Expect(project_page(CAN_EDIT), project_kwargs(), PROJECT_TARGETS),
    "surveys:detail": Expect(project_page(CAN_SEE_INTERNAL), survey_kwargs, PROJECT_TARGETS),
    "surveys:remind": Expect(page_post(CAN_EDIT), survey_kwargs, PROJECT_TARGETS, method="post"),
    "surveys:close": Expect(page_post(CAN_EDIT), survey_kwargs, PROJECT_TARGETS, method="post"),
    "surveys:portal_answer": Expect(project_page(RECIPIENT), portal_answer_kwargs, PROJECT_TARGETS),
    "surveys:answer": Expect(page(200, 200), token_kwargs, PROJECT_TARGETS),
    # API
    "api:list_survey_templates": Expect(page(200, 401)),
    "api:get_survey_template": Expect(template_read_status(anonymous=401), template_kwargs, TEMPLATE_TARGETS),
    "api:copy_survey_template": Expect(
        template_status(201, anonymous=401),
        template_kwargs,
        TEMPLATE_TARGETS,
        method="post",
        data=lambda cast, target, user: {"name": "コピー"},
    ),
    "api:list_project_surveys": Expect(
        project_page(CAN_SEE_INTERNAL, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:create_project_survey": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=_new_survey_data,
    ),
    "api:get_survey": Expect(
        project_page(CAN_SEE_INTERNAL, anonymous=401), api_survey_kwargs, PROJECT_TARGETS
    ),
    "api:remind_survey": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 200), api_survey_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:get_survey_answer": Expect(page(200, 200), token_kwargs, PROJECT_TARGETS),
    "api:post_survey_answer": Expect(
        page(200, 200),
        token_kwargs,
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"answers": {"B1": 4}, "submit": False},
    ),
}
