"""Reads of the surveys app, always through :mod:`shinrai.core.access`.

- Templates belong to a vendor (or ship with Shinrai, no vendor): every user of a vendor reads the shipped
  ones and their own vendor's; vendor managers and the PMs of a project of that vendor copy and edit them.
  Customers and partner vendors see no template (404).
- Survey rounds and their invitations are vendor-internal project items: vendor roles of the project read
  them (``Perm.SEE_INTERNAL``), the PM and managers send, remind and close (``Perm.EDIT``).
- An invitation is reached either by its secret link (the token is the credential: no account needed) or, in
  the portal, by the signed-in customer it was sent to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import CUSTOMER_ROLES, Organization, Project, ProjectMember, Role, User
from shinrai.progress.models import Milestone

from .models import Category, Invitation, Question, Survey, SurveyTemplate

TEMPLATE_EDITOR_ROLES = (Role.VENDOR_PM, Role.VENDOR_MANAGER)


# --- Templates ---------------------------------------------------------------------------------------------


def can_read_templates(user: User) -> bool:
    return access.is_vendor_user(user)


def can_edit_templates(user: User) -> bool:
    """A vendor manager, or a PM (or assigned manager) of at least one project of the user's own vendor."""
    if not access.is_vendor_user(user):
        return False
    if user.is_vendor_manager:
        return True
    return ProjectMember.objects.filter(
        user=user, role__in=TEMPLATE_EDITOR_ROLES, project__vendor_org=user.organization_id
    ).exists()


def _templates_of(vendor_org_id: int) -> QuerySet[SurveyTemplate]:
    return SurveyTemplate.objects.filter(Q(vendor_org__isnull=True) | Q(vendor_org=vendor_org_id))


def templates_visible_to(user: User) -> QuerySet[SurveyTemplate]:
    """Every version of the shipped templates and of the user's own vendor's (none for non-vendors)."""
    if not can_read_templates(user):
        return SurveyTemplate.objects.none()
    return _templates_of(user.organization_id)


def template_list_for(user: User) -> QuerySet[SurveyTemplate]:
    """The current versions, shipped ones first, with their question and use counts (one query)."""
    return (
        templates_visible_to(user)
        .filter(is_current=True)
        .annotate(
            question_count=Count("questions", distinct=True),
            survey_count=Count("surveys", distinct=True),
        )
        .order_by(F("vendor_org").asc(nulls_first=True), "name", "pk")
    )


def template_for(user: User, pk) -> SurveyTemplate:
    try:
        return templates_visible_to(user).select_related("created_by").get(pk=pk)
    except (SurveyTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def template_versions(template: SurveyTemplate) -> list[SurveyTemplate]:
    """Every version of the template's lineage, newest first, with how many surveys used each."""
    return list(
        SurveyTemplate.objects.filter(lineage=template.lineage, vendor_org=template.vendor_org_id)
        .annotate(survey_count=Count("surveys"))
        .order_by("-version")
    )


def template_is_used(template: SurveyTemplate) -> bool:
    return Survey.objects.filter(template=template).exists()


def templates_usable_on(project: Project) -> QuerySet[SurveyTemplate]:
    """Current versions a survey on this project may use: shipped ones and the project vendor's own."""
    return (
        _templates_of(project.vendor_org_id)
        .filter(is_current=True)
        .order_by(F("vendor_org").asc(nulls_first=True), "name", "pk")
    )


CATEGORY_ORDER = [Category.A, Category.B, Category.C, Category.D, Category.NPS, Category.COMMENT]


@dataclass
class CategoryGroup:
    code: str
    label: str
    questions: list


def grouped(questions) -> list[CategoryGroup]:
    """Questions by category (A, B, C, D, NPS, comment), keeping their order inside each."""
    groups: dict[str, CategoryGroup] = {}
    for question in questions:
        category = question.category if hasattr(question, "category") else question["category"]
        if category not in groups:
            groups[category] = CategoryGroup(category, Category(category).label, [])
        groups[category].questions.append(question)
    return sorted(groups.values(), key=lambda group: CATEGORY_ORDER.index(group.code))


def questions_of(template_or_id) -> list[Question]:
    return list(Question.objects.filter(template=template_or_id).order_by("position", "pk"))


# --- Survey rounds -----------------------------------------------------------------------------------------


def survey_project_for(user: User, pk, perm: Perm = Perm.SEE_INTERNAL) -> tuple[Project, Role]:
    """The project of a survey page: vendor roles only (``SEE_INTERNAL``), 404 otherwise."""
    return access.project_for(user, pk, perm)


def surveys_for(*, user: User, project: Project) -> list[Survey]:
    """The project's rounds, newest first, each with its ``round_number`` (1 = the first sent)."""
    queryset = access.items_visible_to(user, Survey.objects.filter(project=project), visibility_field=None)
    if not access.is_vendor_user(user):
        return []
    surveys = list(queryset.select_related("template", "milestone").order_by("-sent_at", "-pk"))
    for index, survey in enumerate(surveys):
        survey.round_number = len(surveys) - index
    return surveys


def survey_for(*, user: User, project: Project, pk) -> Survey:
    try:
        return Survey.objects.select_related("template", "milestone", "project").get(pk=pk, project=project)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def survey_by_id(user: User, survey_id, perm: Perm = Perm.SEE_INTERNAL) -> tuple[Survey, Role]:
    """A survey by its id alone (the API): 404 unless the user is a vendor role on its project with
    ``perm`` — vendor members get the survey back and are refused later (403) on writes."""
    try:
        project_id = Survey.objects.values_list("project_id", flat=True).get(pk=survey_id)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    project, role = access.project_for(user, project_id, perm)
    return survey_for(user=user, project=project, pk=survey_id), role


def invitations_of(survey: Survey) -> list[Invitation]:
    return list(survey.invitations.select_related("recipient").order_by("email"))


def customer_recipients_queryset(project: Project) -> QuerySet[User]:
    """The customer's people on the project (sponsors and members) who can receive a survey."""
    return (
        User.objects.filter(
            memberships__project=project,
            memberships__role__in=CUSTOMER_ROLES,
            organization=project.customer_org_id,
            organization__kind=Organization.Kind.CUSTOMER,
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "email")
    )


def milestones_without_pulse(project: Project) -> list[Milestone]:
    """Reached milestones of the project that have no pulse survey yet (suggested on the survey list)."""
    pulses = Survey.objects.filter(milestone=OuterRef("pk"), kind=Survey.Kind.PULSE)
    return list(
        Milestone.objects.filter(project=project, actual_date__isnull=False)
        .exclude(Exists(pulses))
        .order_by("actual_date", "position", "pk")
    )


def project_milestones(project: Project) -> QuerySet[Milestone]:
    return Milestone.objects.filter(project=project).order_by("position", "pk")


# --- Invitations (answering) -------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class InvitationState:
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    EXPIRED = "expired"


def invitation_state(invitation: Invitation, now: datetime | None = None) -> str:
    """Whether the invitation still takes answers; an answer already given wins over every other state."""
    now = now or timezone.now()
    if invitation.responded_at is not None:
        return InvitationState.ANSWERED
    if invitation.survey.status == Survey.Status.CLOSED:
        return InvitationState.CLOSED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def _invitations() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("survey", "survey__project", "survey__project__vendor_org")


def invitation_for_token(token: str) -> Invitation:
    """The invitation of a secret link; 404 for an unknown, garbled or replaced token."""
    if not token or len(token) > 200:
        raise Http404
    try:
        return _invitations().get(token_digest=token_digest(token))
    except Invitation.DoesNotExist:
        raise Http404 from None


def invitation_for_recipient(user: User, project_pk, invitation_id) -> Invitation:
    """In the portal: the signed-in user's own invitation on a project they may open; 404 otherwise."""
    project, _role = access.project_for(user, project_pk, Perm.VIEW)
    try:
        return _invitations().get(pk=invitation_id, survey__project=project, recipient=user)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_invitations_for(user: User, project: Project) -> list[Invitation]:
    """The signed-in user's invitations on the project that still wait for an answer (one query)."""
    if not (user and user.is_authenticated) or access.is_vendor_user(user):
        return []
    invitations = list(
        Invitation.objects.filter(
            recipient=user,
            survey__project=project,
            survey__status=Survey.Status.OPEN,
            responded_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("survey")
        .order_by("expires_at", "pk")
    )
    for invitation in invitations:
        invitation.last_day = timezone.localtime(invitation.expires_at - timedelta(microseconds=1)).date()
    return invitations
