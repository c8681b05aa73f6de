"""Satisfaction surveys: templates (versioned), survey rounds on a project, invitations and responses.

A template's questions are grouped into the four categories of a customer-satisfaction survey
(A deliverables, B team/skills/approach, C attitude/behaviour, D contract process), plus the 0–10
"recommend us" question (NPS) and free text. Every scored question is tagged logical (the result) or
emotional (how it felt). Questions carry a ``code`` that stays the same across versions of a template, so
rounds answered on different versions are compared question by question (fixed-point observation).

Each :class:`Response` keeps its scores per category and facet (see :mod:`shinrai.surveys.scoring`),
written once on submission, so results over thousands of responses are one aggregate query.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Organization, Project, User


class Category(models.TextChoices):
    A = "A", _("A Deliverables")
    B = "B", _("B Team, skills and approach")
    C = "C", _("C Attitude and behaviour")
    D = "D", _("D Contract process")
    NPS = "NPS", _("Would recommend us")
    COMMENT = "COMMENT", _("Free comment")


SCORED_CATEGORIES = (Category.A, Category.B, Category.C, Category.D)


class Facet(models.TextChoices):
    LOGICAL = "logical", _("Logical (the result)")
    EMOTIONAL = "emotional", _("Emotional (how it felt)")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Agreement scale 1–5")
    NPS = "nps", _("Scale 0–10")
    TEXT = "text", _("Free text")


# The five-point agreement scale, labelled in both languages whatever the page's language: a customer may
# forward the link to a colleague who reads the other one.
LIKERT_LABELS = {
    1: ("全くそう思わない", "Strongly disagree"),
    2: ("あまりそう思わない", "Disagree"),
    3: ("どちらともいえない", "Neither agree nor disagree"),
    4: ("ややそう思う", "Agree"),
    5: ("とてもそう思う", "Strongly agree"),
}
NPS_ENDS = {0: ("全く勧めない", "Not at all likely"), 10: ("ぜひ勧める", "Extremely likely")}


class SurveyTemplate(models.Model):
    """One version of a questionnaire. Versions of one template share a ``lineage``.

    ``vendor_org`` is empty for the template that ships with Shinrai (read-only; vendors copy it). A
    template that has been sent is never changed: editing it creates the next version.
    """

    vendor_org = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_templates",
        verbose_name=_("vendor"),
    )
    lineage = models.UUIDField(_("template family"), default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="survey_template_version_unique"),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(is_current=True), name="survey_template_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_builtin(self) -> bool:
        return self.vendor_org_id is None


class Question(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=16, help_text=_("Stays the same across versions, e.g. A1."))
    position = models.PositiveIntegerField(_("order"), default=0)
    category = models.CharField(_("category"), max_length=8, choices=Category.choices)
    facet = models.CharField(_("logical or emotional"), max_length=10, choices=Facet.choices, blank=True)
    kind = models.CharField(_("answer type"), max_length=8, choices=QuestionKind.choices)
    text_ja = models.CharField(_("question (Japanese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["template", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="survey_question_code_unique"),
            # Scored questions say whether they measure the result or the feeling; text and NPS do not.
            models.CheckConstraint(
                condition=Q(kind="likert", facet__in=["logical", "emotional"]) | ~Q(kind="likert"),
                name="survey_question_likert_has_facet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text_ja}"

    def text_for(self, language: str) -> str:
        return self.text_en if language.startswith("en") and self.text_en else self.text_ja


class Survey(models.Model):
    """One round of a survey on a project: after delivery, or a short pulse during the work."""

    class Kind(models.TextChoices):
        POST_DELIVERY = "post_delivery", _("After delivery")
        PULSE = "pulse", _("Pulse (during the project)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="surveys")
    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("template")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PULSE)
    milestone = models.ForeignKey(
        "progress.Milestone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("after milestone"),
    )
    title = models.CharField(_("title"), max_length=200)
    anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Answers are not linked to people, and results show only for groups of 3 or more."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("answers accepted until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Counts kept on every invitation and submission, so lists and the dashboard need no per-row queries.
    invited_count = models.PositiveIntegerField(_("invited"), default=0)
    response_count = models.PositiveIntegerField(_("answered"), default=0)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["project", "-sent_at", "-id"]
        indexes = [models.Index(fields=["project", "status", "sent_at"])]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """One person asked to answer one survey, by a secret link (works without an account) or in the portal.

    Only a SHA-256 digest of the link's token is stored. ``draft`` keeps partly given answers until the
    response is submitted; ``responded_at`` makes the link single-use.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    recipient = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_invitations"
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ja")
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("link expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    draft = models.JSONField(_("answers saved so far"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["survey", "email"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "email"], name="survey_invitation_email_unique"),
        ]
        indexes = [models.Index(fields=["recipient", "responded_at"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.survey})"


_SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Response(models.Model):
    """A submitted answer sheet. For an anonymous survey neither the invitation nor the person is kept,
    and the time is kept to the day only (so it cannot be matched to an invitation's answered-at time).

    The score columns are written once from the answers (:mod:`shinrai.surveys.scoring`): means on the
    1–5 scale per category and facet (empty when no such question was answered) and the 0–10 NPS answer.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    respondent = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    score_a = models.FloatField(null=True, blank=True, validators=_SCORE)
    score_b = models.FloatField(null=True, blank=True, validators=_SCORE)
    score_c = models.FloatField(null=True, blank=True, validators=_SCORE)
    score_d = models.FloatField(null=True, blank=True, validators=_SCORE)
    score_logical = models.FloatField(null=True, blank=True, validators=_SCORE)
    score_emotional = models.FloatField(null=True, blank=True, validators=_SCORE)
    score_overall = models.FloatField(null=True, blank=True, validators=_SCORE)
    nps = models.PositiveSmallIntegerField(
        _("recommend (0–10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["survey", "submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nps__isnull=True) | Q(nps__lte=10), name="survey_response_nps_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.score if self.score is not None else self.text[:30]}"
