"""Write operations of the surveys app: one function per business action, transactional, audited.

Token rules (docs/SURVEYS.md): a link's token is ``secrets.token_urlsafe(32)`` and only its SHA-256 digest
is stored; the clear token exists only in the e-mail. A reminder replaces the token (the earlier link stops
working). A link answers once, until the survey's answer-until time, while the survey is open.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from shinrai.core.models import Project, User
from shinrai.core.services import audit_event, audit_record
from shinrai.core.text import storable
from shinrai.integrations import events, notifications
from shinrai.integrations.models import Event
from shinrai.progress.models import Milestone

from . import scoring
from .models import (
    SCORED_CATEGORIES,
    Answer,
    Category,
    Facet,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyTemplate,
)
from .selectors import InvitationState, invitation_state, token_digest

TOKYO = ZoneInfo("Asia/Tokyo")
MAX_REMINDERS = 3
REMINDER_AFTER = timedelta(days=3)
DEFAULT_ANSWER_DAYS = 14
MAX_TEXT_ANSWER = 5000
MAX_QUESTIONS = 60
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")


def new_token() -> tuple[str, str]:
    """(token for the link, SHA-256 digest to store)."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


# --- Templates ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInput:
    code: str
    category: str
    kind: str
    text_ja: str
    text_en: str = ""
    facet: str = ""
    required: bool = True


def questions_validate(questions: Iterable[QuestionInput | Mapping[str, Any]]) -> list[QuestionInput]:
    """Check a whole question list; raise ValidationError naming every problem (by question number)."""
    cleaned: list[QuestionInput] = []
    errors: list[str] = []
    seen: set[str] = set()
    nps_count = 0
    for number, raw in enumerate(questions, start=1):
        item = raw if isinstance(raw, QuestionInput) else QuestionInput(**raw)
        code = (item.code or "").strip().upper()
        text_ja = (item.text_ja or "").strip()
        text_en = (item.text_en or "").strip()
        kind, category, facet = item.kind, item.category, item.facet or ""
        where = _("Question %(n)d") % {"n": number}
        if not CODE_RE.match(code):
            errors.append(
                _("%(where)s: the code must be 1–16 capital letters, digits or _, starting with a letter.")
                % {"where": where}
            )
        elif code in seen:
            errors.append(_("%(where)s: the code %(code)s is used twice.") % {"where": where, "code": code})
        seen.add(code)
        if not text_ja and not text_en:
            errors.append(_("%(where)s: write the question.") % {"where": where})
        if len(text_ja) > 300 or len(text_en) > 300:
            errors.append(_("%(where)s: a question may have at most 300 characters.") % {"where": where})
        if kind == QuestionKind.LIKERT:
            if category not in SCORED_CATEGORIES:
                errors.append(
                    _("%(where)s: an agreement-scale question belongs to category A, B, C or D.")
                    % {"where": where}
                )
            if facet not in Facet.values:
                errors.append(
                    _("%(where)s: say whether it asks about the result (logical) or the feeling (emotional).")
                    % {"where": where}
                )
        elif kind == QuestionKind.NPS:
            nps_count += 1
            category, facet = Category.NPS, ""
        elif kind == QuestionKind.TEXT:
            category, facet = Category.COMMENT, ""
        else:
            errors.append(_("%(where)s: choose an answer type.") % {"where": where})
        cleaned.append(
            QuestionInput(
                code=code,
                category=category,
                kind=kind,
                text_ja=text_ja or text_en,
                text_en=text_en,
                facet=facet,
                required=bool(item.required),
            )
        )
    if not cleaned:
        errors.append(_("A template needs at least one question."))
    if len(cleaned) > MAX_QUESTIONS:
        errors.append(_("A template may have at most %(n)d questions.") % {"n": MAX_QUESTIONS})
    if nps_count > 1:
        errors.append(_("A template may have only one 0–10 (recommend us) question."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _create_questions(template: SurveyTemplate, questions: list[QuestionInput]) -> None:
    Question.objects.bulk_create(
        Question(
            template=template,
            position=position,
            code=q.code,
            category=q.category,
            facet=q.facet,
            kind=q.kind,
            text_ja=q.text_ja,
            text_en=q.text_en,
            required=q.required,
        )
        for position, q in enumerate(questions)
    )


def _question_inputs(template: SurveyTemplate) -> list[QuestionInput]:
    return [
        QuestionInput(
            code=q.code,
            category=q.category,
            kind=q.kind,
            text_ja=q.text_ja,
            text_en=q.text_en,
            facet=q.facet,
            required=q.required,
        )
        for q in template.questions.order_by("position", "pk")
    ]


def _check_owner(by: User, template: SurveyTemplate) -> None:
    if template.vendor_org_id is None:
        raise ValidationError(_("A template that ships with Shinrai cannot be changed: make a copy."))
    if template.vendor_org_id != by.organization_id:
        raise ValidationError(_("This template belongs to another vendor."))


@transaction.atomic
def template_copy(*, by: User, template: SurveyTemplate, name: str = "") -> SurveyTemplate:
    """A new template (version 1 of a new lineage) of the user's vendor with the same questions."""
    name = (name or "").strip() or _("Copy of %(name)s") % {"name": template.name}
    copy = SurveyTemplate.objects.create(
        vendor_org=by.organization,
        version=1,
        is_current=True,
        name=name[:200],
        description=template.description,
        created_by=by,
        created_at=timezone.now(),
    )
    _create_questions(copy, _question_inputs(template))
    audit_record(
        actor=by,
        action="survey_template.copy",
        obj=copy,
        after={"from": template.pk, "from_version": template.version, "name": copy.name},
    )
    return copy


@transaction.atomic
def template_update(
    *,
    by: User,
    template: SurveyTemplate,
    name: str,
    description: str = "",
    questions: Iterable[QuestionInput | Mapping[str, Any]],
) -> SurveyTemplate:
    """Change a vendor's template; returns the template that now holds the change.

    A template already used by a survey is never changed: the change becomes the next version of the same
    lineage (``is_current`` moves to it), so earlier rounds keep the questions they were answered on. An
    unused template is changed in place. Shipped templates and older versions cannot be changed.
    """
    _check_owner(by, template)
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    if not template.is_current:
        raise ValidationError(_("Only the current version of a template can be changed."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    cleaned = questions_validate(questions)
    description = (description or "").strip()
    before = {"name": template.name, "version": template.version, "questions": template.questions.count()}
    if Survey.objects.filter(template=template).exists():
        SurveyTemplate.objects.filter(pk=template.pk).update(is_current=False)
        result = SurveyTemplate.objects.create(
            vendor_org=template.vendor_org,
            lineage=template.lineage,
            version=template.version + 1,
            is_current=True,
            name=name[:200],
            description=description,
            created_by=by,
            created_at=timezone.now(),
        )
        action = "survey_template.new_version"
    else:
        template.name, template.description = name[:200], description
        template.save(update_fields=["name", "description"])
        template.questions.all().delete()
        result = template
        action = "survey_template.update"
    _create_questions(result, cleaned)
    audit_record(
        actor=by,
        action=action,
        obj=result,
        before=before,
        after={"name": result.name, "version": result.version, "questions": len(cleaned)},
    )
    return result


# --- Sending -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    user: User | None
    name: str
    language: str


def recipients_merge(users: Iterable[User], emails: Iterable[str]) -> list[Recipient]:
    """Project members and extra addresses, one per address (case-insensitive); invalid ones refused."""
    merged: dict[str, Recipient] = {}
    for user in users:
        key = user.email.strip().lower()
        merged.setdefault(key, Recipient(user.email.strip(), user, user.display_name, user.language or "ja"))
    bad = []
    for raw in emails:
        email = (raw or "").strip()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            bad.append(email)
            continue
        merged.setdefault(email.lower(), Recipient(email, None, "", "ja"))
    if bad:
        raise ValidationError(
            {"extra_emails": _("These are not valid e-mail addresses: %(list)s") % {"list": ", ".join(bad)}}
        )
    if not merged:
        raise ValidationError({"recipients": _("Choose at least one person to ask.")})
    return list(merged.values())


def answer_deadline(until: date) -> datetime:
    """Answers are taken until the end of ``until`` in Japan (the next day 00:00 Asia/Tokyo)."""
    return datetime.combine(until + timedelta(days=1), time(0, 0), tzinfo=TOKYO)


def last_answer_day(survey: Survey) -> date | None:
    """The last day (Japan) answers are taken: the day before ``closes_at``."""
    if survey.closes_at is None:
        return None
    return timezone.localtime(survey.closes_at, TOKYO).date() - timedelta(days=1)


def default_answer_until(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), TOKYO).date() + timedelta(days=DEFAULT_ANSWER_DAYS)


@transaction.atomic
def survey_send(
    *,
    by: User,
    project: Project,
    template: SurveyTemplate,
    kind: str,
    title: str,
    answer_until: date,
    anonymous: bool = False,
    milestone: Milestone | None = None,
    recipients: Iterable[User] = (),
    extra_emails: Iterable[str] = (),
) -> Survey:
    """Start a round on a project and e-mail every recipient their own link (after commit)."""
    now = timezone.now()
    errors: dict[str, str] = {}
    if kind not in Survey.Kind.values:
        errors["kind"] = _("Choose the kind of survey.")
    if not template.is_current or template.vendor_org_id not in (None, project.vendor_org_id):
        errors["template"] = _("Choose one of the templates offered.")
    elif not template.questions.exists():
        errors["template"] = _("This template has no questions.")
    if milestone is not None and milestone.project_id != project.pk:
        errors["milestone"] = _("Choose a milestone of this project.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the survey a title.")
    if answer_until is None or answer_deadline(answer_until) <= now:
        errors["answer_until"] = _("The last day for answers must be today or later.")
    recipients = list(recipients)
    for user in recipients:
        if user.organization_id != project.customer_org_id:
            errors["recipients"] = _("Only the customer's people on this project can be chosen.")
    try:
        people = recipients_merge(recipients, extra_emails)
    except ValidationError as error:
        errors = error.message_dict | errors
    if errors:
        raise ValidationError(errors)
    deadline = answer_deadline(answer_until)
    survey = Survey.objects.create(
        project=project,
        template=template,
        kind=kind,
        milestone=milestone,
        title=title[:200],
        anonymous=bool(anonymous),
        status=Survey.Status.OPEN,
        sent_at=now,
        closes_at=deadline,
        created_by=by,
        created_at=now,
        invited_count=len(people),
    )
    links: list[tuple[Invitation, str]] = []
    for person in people:
        token, digest = new_token()
        invitation = Invitation(
            survey=survey,
            recipient=person.user,
            email=person.email,
            name=person.name[:100],
            language=person.language if person.language in ("ja", "en") else "ja",
            token_digest=digest,
            expires_at=deadline,
            sent_at=now,
            created_at=now,
        )
        links.append((invitation, token))
    Invitation.objects.bulk_create([invitation for invitation, _token in links])
    audit_record(
        actor=by,
        action="survey.send",
        obj=survey,
        project=project,
        after={
            "title": survey.title,
            "template": template.pk,
            "kind": kind,
            "anonymous": survey.anonymous,
            "invited": len(people),
            "closes_at": deadline.isoformat(),
        },
    )
    transaction.on_commit(lambda: _mail_links(survey, links, reminder=False))
    # In Shinrai, the people with an account answer from the project's portal page (the survey card).
    events.emit(
        events.Occurrence(
            event=Event.SURVEY_INVITATION,
            project=project,
            subject=gettext_lazy("Please answer our survey “%(title)s”"),
            url=reverse("core:portal_project", args=[project.pk]),
            params={"title": survey.title},
            facts={
                "survey": survey.pk,
                "kind": kind,
                "invited": len(people),
                "closes_at": deadline.isoformat(),
            },
        ),
        recipients=[person.user for person in people if person.user is not None],
    )
    return survey


def _remind(survey: Survey, invitations: list[Invitation], now: datetime) -> list[tuple[Invitation, str]]:
    links = []
    for invitation in invitations:
        token, digest = new_token()
        invitation.token_digest = digest
        invitation.reminder_count += 1
        invitation.reminded_at = now
        links.append((invitation, token))
    Invitation.objects.bulk_update(
        [invitation for invitation, _token in links], ["token_digest", "reminder_count", "reminded_at"]
    )
    return links


def _remindable(survey_ids, now: datetime):
    return Invitation.objects.filter(
        survey__in=survey_ids,
        survey__status=Survey.Status.OPEN,
        responded_at__isnull=True,
        expires_at__gt=now,
        reminder_count__lt=MAX_REMINDERS,
    )


@transaction.atomic
def survey_remind(*, by: User, survey: Survey) -> int:
    """Send a new link to everyone who has not answered (at most MAX_REMINDERS per person); the old
    links stop working. Returns how many were reminded."""
    survey = (
        Survey.objects.select_for_update().select_related("project", "project__vendor_org").get(pk=survey.pk)
    )
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("This survey is closed."))
    now = timezone.now()
    if survey.closes_at and survey.closes_at <= now:
        raise ValidationError(_("The time for answers is over."))
    invitations = list(_remindable([survey.pk], now).select_for_update().order_by("pk"))
    links = _remind(survey, invitations, now)
    if links:
        audit_record(
            actor=by,
            action="survey.remind",
            obj=survey,
            project=survey.project,
            after={"reminded": len(links)},
        )
        transaction.on_commit(lambda: _mail_links(survey, links, reminder=True))
    return len(links)


def reminders_send_due(*, now: datetime | None = None) -> int:
    """The scheduled reminder: every open, unexpired, unanswered invitation whose last mail (first link or
    last reminder) is at least REMINDER_AFTER old, below the reminder limit. Returns how many were sent."""
    now = now or timezone.now()
    cutoff = now - REMINDER_AFTER
    total = 0
    survey_ids = (
        _remindable(Survey.objects.filter(status=Survey.Status.OPEN).values("pk"), now)
        .values_list("survey_id", flat=True)
        .distinct()
    )
    for survey_id in list(survey_ids):
        with transaction.atomic():
            survey = (
                Survey.objects.select_for_update()
                .select_related("project", "project__vendor_org")
                .get(pk=survey_id)
            )
            due = list(
                _remindable([survey.pk], now)
                .filter(sent_at__isnull=False)
                .exclude(reminded_at__gt=cutoff)
                .exclude(reminded_at__isnull=True, sent_at__gt=cutoff)
                .select_for_update()
                .order_by("pk")
            )
            if not due:
                continue
            links = _remind(survey, due, now)
            audit_record(
                actor=None,
                action="survey.remind",
                obj=survey,
                project=survey.project,
                after={"reminded": len(links), "scheduled": True},
            )
            transaction.on_commit(
                lambda survey=survey, links=links: _mail_links(survey, links, reminder=True)
            )
            total += len(links)
    return total


@transaction.atomic
def survey_close(*, by: User, survey: Survey) -> Survey:
    """Stop taking answers; every link of the survey answers "closed" from now on."""
    survey = Survey.objects.select_for_update().select_related("project").get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("This survey is already closed."))
    survey.status = Survey.Status.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=by,
        action="survey.close",
        obj=survey,
        project=survey.project,
        after={"invited": survey.invited_count, "answered": survey.response_count},
    )
    return survey


def answer_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("surveys:answer", args=[token])


def _mail_links(survey: Survey, links: list[tuple[Invitation, str]], *, reminder: bool) -> None:
    """One e-mail per recipient, in their language, through the task queue."""
    from shinrai.core.tasks import send_email

    project = survey.project
    until = last_answer_day(survey)
    # People with an account may turn these e-mails off (they answer in the portal); addresses without an
    # account always get theirs.
    email_off = notifications.email_off_ids(
        [invitation.recipient_id for invitation, _token in links], Event.SURVEY_INVITATION
    )
    for invitation, token in links:
        if invitation.recipient_id in email_off:
            continue
        with translation.override(invitation.language or "ja"):
            values = {
                "project": project.name,
                "vendor": project.vendor_org.name,
                "title": survey.title,
                "name": invitation.name or invitation.email,
                "url": answer_url(token),
                "until": until.isoformat(),
            }
            subject = (
                gettext_noop("[%(project)s] Reminder: please answer our survey “%(title)s”")
                if reminder
                else gettext_noop("[%(project)s] Please answer our survey “%(title)s”")
            )
            paragraphs = [
                _("Dear %(name)s,") % values,
                _(
                    "%(vendor)s would like to hear how the project “%(project)s” is going for you. "
                    "The survey takes a few minutes."
                )
                % values,
                _("Answer here (no account needed): %(url)s") % values,
                _("The link works until %(until)s (Japan time) and can be used once.") % values,
            ]
            if reminder:
                paragraphs.append(_("This is a new link: the link in our earlier e-mail no longer works."))
            if survey.anonymous:
                paragraphs.append(
                    _("Your answers are anonymous: they are not linked to your name or e-mail address.")
                )
            body = "\n\n".join(paragraphs)
            subject_text = _(subject) % values
        send_email.enqueue(to=[invitation.email], subject=subject_text, body=body)


# --- Answering --------------------------------------------------------------------------------------------


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def answers_validate(
    questions: list[Question], raw: Mapping[str, Any], *, final: bool, strict: bool = False
) -> tuple[dict[str, int | str], dict[str, str]]:
    """Clean answers given by question code: (answers, errors by code).

    Empty values are left out. ``final`` also reports required questions without an answer; ``strict``
    (the API) reports codes that are not questions of the survey (under their own code).
    """
    answers: dict[str, int | str] = {}
    errors: dict[str, str] = {}
    by_code = {question.code: question for question in questions}
    if strict:
        for code in raw:
            if code not in by_code:
                errors[str(code)[:50]] = _("There is no question %(code)s in this survey.") % {
                    "code": str(code)[:50]
                }
    for question in questions:
        value = raw.get(question.code)
        empty = value is None or (isinstance(value, str) and not value.strip())
        if not empty:
            if question.kind == QuestionKind.TEXT:
                if not isinstance(value, str):
                    errors[question.code] = _("Write the answer as text.")
                elif len(value.strip()) > MAX_TEXT_ANSWER:
                    errors[question.code] = _("Please keep it under %(n)d characters.") % {
                        "n": MAX_TEXT_ANSWER
                    }
                else:
                    # Through the API (JSON) a text can hold a NUL or a lone surrogate, which no database
                    # stores: cleaned, not refused (the page form already turns such bytes into U+FFFD).
                    answers[question.code] = storable(value.strip())
            else:
                low, high = (1, 5) if question.kind == QuestionKind.LIKERT else (0, 10)
                number = _as_int(value)
                if number is None or not low <= number <= high:
                    errors[question.code] = _("Choose one of the values from %(low)d to %(high)d.") % {
                        "low": low,
                        "high": high,
                    }
                else:
                    answers[question.code] = number
        elif final and question.required:
            errors[question.code] = _("Please answer this question.")
    return answers, errors


def _check_open(invitation: Invitation, now: datetime) -> None:
    state = invitation_state(invitation, now)
    if state != InvitationState.OPEN:
        raise InvitationClosed(state)


class InvitationClosed(Exception):
    """The link no longer takes answers: ``state`` is answered, closed or expired."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def invitation_mark_opened(invitation: Invitation) -> None:
    """Record the first time the link (or the portal form) was opened; later opens change nothing."""
    if invitation.opened_at is None:
        now = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
        invitation.opened_at = now


@transaction.atomic
def invitation_save_draft(*, invitation: Invitation, questions: list[Question], raw: Mapping[str, Any]):
    """Keep partly given answers to come back to. Bad values are refused (nothing stored); returns the
    errors by question code (empty when saved)."""
    now = timezone.now()
    invitation = Invitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
    _check_open(invitation, now)
    answers, errors = answers_validate(questions, raw, final=False)
    if errors:
        return errors
    invitation.draft = answers
    invitation.save(update_fields=["draft"])
    return {}


def day_start(moment: datetime) -> datetime:
    """00:00 Asia/Tokyo of the day of ``moment`` (the only time kept for an anonymous answer)."""
    local = timezone.localtime(moment, TOKYO)
    return datetime.combine(local.date(), time(0, 0), tzinfo=TOKYO)


@transaction.atomic
def response_submit(
    *, invitation: Invitation, questions: list[Question], raw: Mapping[str, Any], strict: bool = False
) -> tuple[Response | None, dict[str, str]]:
    """Submit the answer sheet: (response, {}) or (None, errors by code) when something is missing or bad.

    In one transaction: the Response with its score columns (``scoring.response_scores``), one Answer per
    answered question, the invitation marked answered (its draft cleared) and the survey's count. For an
    anonymous survey the response keeps neither invitation nor person, its time (and the invitation's
    answered time, and the audit event's) only to the day, so nothing links an answer to a person.
    """
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("survey", "survey__project")
        .get(pk=invitation.pk)
    )
    _check_open(invitation, now)
    answers, errors = answers_validate(questions, raw, final=True, strict=strict)
    if errors:
        return None, errors
    survey = invitation.survey
    anonymous = survey.anonymous
    by_code = {question.code: question for question in questions}
    scored = [
        scoring.ScoredAnswer(by_code[code].category, by_code[code].facet, by_code[code].kind, value)
        for code, value in answers.items()
        if by_code[code].kind != QuestionKind.TEXT
    ]
    at = day_start(now) if anonymous else now
    response = Response.objects.create(
        survey=survey,
        invitation=None if anonymous else invitation,
        respondent=None if anonymous else invitation.recipient,
        submitted_at=at,
        **scoring.response_scores(scored),
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=by_code[code],
            score=None if by_code[code].kind == QuestionKind.TEXT else value,
            text=value if by_code[code].kind == QuestionKind.TEXT else "",
        )
        for code, value in answers.items()
    )
    invitation.responded_at = at
    invitation.draft = {}
    invitation.save(update_fields=["responded_at", "draft"])
    Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + 1)
    event = audit_event(
        actor=None if anonymous else invitation.recipient,
        action="survey.respond",
        obj=survey if anonymous else response,
        project=survey.project,
        after={} if anonymous else {"survey": survey.pk, "invitation": invitation.pk},
    )
    event.at = at
    event.save()
    return response, {}
