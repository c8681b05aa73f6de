"""Survey pages: the vendor's templates and rounds, the answer page behind a link and in the portal."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shinrai.core import access, locking
from shinrai.core.access import Perm

from . import selectors as sel
from . import services
from .defaults import POST_DELIVERY_LINEAGE, PULSE_LINEAGE
from .forms import CopyForm, QuestionFormSet, SurveyForm, TemplateForm, question_initial
from .models import LIKERT_LABELS, NPS_ENDS, QuestionKind, Survey
from .selectors import InvitationState


def _messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- Templates (vendor users) ------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> None:
    if not sel.can_read_templates(request.user):
        raise Http404


def _editor(request: HttpRequest) -> None:
    _reader(request)
    if not sel.can_edit_templates(request.user):
        raise PermissionDenied


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    return render(
        request,
        "surveys/template_list.html",
        {
            "templates": list(sel.template_list_for(request.user)),
            "can_edit": sel.can_edit_templates(request.user),
        },
    )


@login_required
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    _reader(request)
    template = sel.template_for(request.user, template_id)
    questions = sel.questions_of(template)
    can_edit = sel.can_edit_templates(request.user)
    return render(
        request,
        "surveys/template_detail.html",
        {
            "template": template,
            "groups": sel.grouped(questions),
            "versions": sel.template_versions(template),
            "can_copy": can_edit,
            "can_edit": can_edit and not template.is_builtin and template.is_current,
            "copy_form": CopyForm(),
        },
    )


@login_required
@require_POST
def template_copy(request: HttpRequest, template_id: int) -> HttpResponse:
    _reader(request)
    template = sel.template_for(request.user, template_id)
    _editor(request)
    form = CopyForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    copy = services.template_copy(by=request.user, template=template, name=name)
    messages.success(request, _("Copied. You can now change the copy."))
    return redirect("surveys:template_edit", template_id=copy.pk)


@login_required
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    """Change name, description and questions; a template already used becomes a new version."""
    _reader(request)
    template = sel.template_for(request.user, template_id)
    _editor(request)
    # A save posted from a version that was current when opened gets the conflict page (below), not this.
    if template.is_builtin or (not template.is_current and request.method != "POST"):
        messages.error(
            request,
            _("A template that ships with Shinrai cannot be changed: make a copy.")
            if template.is_builtin
            else _("Only the current version of a template can be changed."),
        )
        return redirect("surveys:template_detail", template_id=template.pk)
    used = sel.template_is_used(template)
    if request.method == "POST":
        form = TemplateForm(request.POST)
        formset = QuestionFormSet(request.POST, prefix="q")
        if form.is_valid() and formset.is_valid():
            try:
                with locking.guard(template, form.lock_token):
                    result = services.template_update(
                        by=request.user,
                        template=template,
                        name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"],
                        questions=formset.questions(),
                    )
            except locking.Stale as stale:
                return _template_conflict(request, form, formset, stale)
            except ValidationError as error:
                for message in _messages_of(error):
                    form.add_error(None, message)
            else:
                if result.pk != template.pk:
                    messages.success(
                        request,
                        _(
                            "Saved as version %(n)d. Surveys already sent keep the questions of "
                            "version %(old)d."
                        )
                        % {"n": result.version, "old": template.version},
                    )
                else:
                    messages.success(request, _("Saved."))
                return redirect("surveys:template_detail", template_id=result.pk)
    else:
        form = TemplateForm(
            initial={"name": template.name, "description": template.description}, lock_of=template
        )
        formset = QuestionFormSet(initial=question_initial(sel.questions_of(template)), prefix="q")
    return render(
        request,
        "surveys/template_edit.html",
        {"template": template, "form": form, "formset": formset, "used": used},
    )


def _template_conflict(request: HttpRequest, form, formset, stale: locking.Stale) -> HttpResponse:
    """Someone saved the template since it was opened: the page again (409) against the current version.

    When their save made a new version (the template had been used), the kept input is sent to that one.
    """
    current = sel.template_versions(stale.current)[0] if stale.current is not None else None
    if current is None:
        raise Http404
    questions = [f"{q.code} {q.text_ja}" for q in sel.questions_of(current)]
    mine = [f"{q.code} {q.text_ja}" for q in formset.questions()]
    label = _("Questions")
    return locking.conflict(
        request,
        "surveys/template_edit.html",
        {
            "template": current,
            "formset": formset,
            "used": sel.template_is_used(current),
            "action_url": reverse("surveys:template_edit", args=[current.pk]),
        },
        form=form,
        stale=stale,
        current=current,
        extra_rows=[locking.ConflictRow(label, "\n".join(questions) or "—", "\n".join(mine) or "—")],
        reload_url=reverse("surveys:template_edit", args=[current.pk]),
    )


# --- Survey rounds on a project (vendor roles) -------------------------------------------------------------


def _can_send(role) -> bool:
    return Perm.EDIT in access.ROLE_PERMS[role]


@login_required
def survey_list(request: HttpRequest, pk: int) -> HttpResponse:
    project, role = sel.survey_project_for(request.user, pk)
    return render(
        request,
        "surveys/survey_list.html",
        {
            "project": project,
            "role": role,
            "can_send": _can_send(role),
            "surveys": sel.surveys_for(user=request.user, project=project),
            "suggestions": sel.milestones_without_pulse(project) if _can_send(role) else [],
            "now": timezone.now(),
        },
    )


def _new_initial(request: HttpRequest, project) -> dict:
    """Prefill from ?kind=&milestone= (the one-click suggestion after a reached milestone)."""
    initial: dict = {}
    kind = request.GET.get("kind")
    if kind in Survey.Kind.values:
        initial["kind"] = kind
    milestone = None
    milestone_id = request.GET.get("milestone", "")
    if milestone_id.isdigit():
        milestone = sel.project_milestones(project).filter(pk=milestone_id).first()
    if milestone is not None:
        initial["milestone"] = milestone.pk
        initial.setdefault("kind", Survey.Kind.PULSE)
        initial["title"] = _("Pulse survey after “%(milestone)s”") % {"milestone": milestone.name}
    lineage = POST_DELIVERY_LINEAGE if initial.get("kind") == Survey.Kind.POST_DELIVERY else PULSE_LINEAGE
    for template in sel.templates_usable_on(project):
        if template.is_builtin and template.lineage == lineage:
            initial["template"] = template.pk
    initial["recipients"] = [user.pk for user in sel.customer_recipients_queryset(project)]
    return initial


@login_required
def survey_new(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = sel.survey_project_for(request.user, pk, Perm.EDIT)
    if request.method == "POST":
        form = SurveyForm(request.POST, project=project)
        if form.is_valid():
            try:
                survey = services.survey_send(by=request.user, project=project, **form.send_kwargs())
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("Sent to %(n)d people. Each got their own link.") % {"n": survey.invited_count},
                )
                return redirect("surveys:detail", pk=project.pk, survey_id=survey.pk)
    else:
        form = SurveyForm(project=project, initial=_new_initial(request, project))
    return render(request, "surveys/survey_new.html", {"project": project, "form": form})


@login_required
def survey_detail(request: HttpRequest, pk: int, survey_id: int) -> HttpResponse:
    project, role = sel.survey_project_for(request.user, pk)
    survey = sel.survey_for(user=request.user, project=project, pk=survey_id)
    invitations = sel.invitations_of(survey)
    now = timezone.now()
    remindable = [
        i
        for i in invitations
        if i.responded_at is None and i.reminder_count < services.MAX_REMINDERS and i.expires_at > now
    ]
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "project": project,
            "survey": survey,
            "invitations": invitations,
            "can_send": _can_send(role),
            "is_open": survey.status == Survey.Status.OPEN
            and (survey.closes_at is None or survey.closes_at > now),
            "remindable": len(remindable),
            "max_reminders": services.MAX_REMINDERS,
            "now": now,
        },
    )


def _survey_step(request: HttpRequest, pk: int, survey_id: int, step: str) -> HttpResponse:
    project, _role = sel.survey_project_for(request.user, pk, Perm.EDIT)
    survey = sel.survey_for(user=request.user, project=project, pk=survey_id)
    try:
        if step == "remind":
            count = services.survey_remind(by=request.user, survey=survey)
            if count:
                messages.success(request, _("Reminded %(n)d people with a new link.") % {"n": count})
            else:
                messages.info(request, _("Nobody to remind."))
        else:
            services.survey_close(by=request.user, survey=survey)
            messages.success(request, _("The survey is closed. Its links no longer take answers."))
    except ValidationError as error:
        messages.error(request, " ".join(_messages_of(error)))
    return redirect("surveys:detail", pk=project.pk, survey_id=survey.pk)


@login_required
@require_POST
def survey_remind(request: HttpRequest, pk: int, survey_id: int) -> HttpResponse:
    return _survey_step(request, pk, survey_id, "remind")


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int, survey_id: int) -> HttpResponse:
    return _survey_step(request, pk, survey_id, "close")


# --- Answering (by link, no account; or in the portal) ------------------------------------------------------

_GONE_STATUS = {
    InvitationState.ANSWERED: 410,
    InvitationState.CLOSED: 410,
    InvitationState.EXPIRED: 410,
    "unknown": 404,
}


def _unavailable(request: HttpRequest, state: str) -> HttpResponse:
    return render(
        request, "surveys/answer_unavailable.html", {"state": state}, status=_GONE_STATUS.get(state, 404)
    )


def _choices(question) -> list[tuple[str, str, str]]:
    if question.kind == QuestionKind.LIKERT:
        return [(str(value), ja, en) for value, (ja, en) in LIKERT_LABELS.items()]
    if question.kind == QuestionKind.NPS:
        return [(str(value), *NPS_ENDS.get(value, ("", ""))) for value in range(11)]
    return []


def answer_groups(questions, values: dict, errors: dict) -> list[sel.CategoryGroup]:
    """The questions by category with what the page needs: texts in both languages, value, error."""
    english = translation.get_language().startswith("en")
    rows = []
    for question in questions:
        primary, other = (
            (question.text_en or question.text_ja, question.text_ja)
            if english
            else (question.text_ja, question.text_en)
        )
        value = values.get(question.code, "")
        rows.append(
            {
                "category": question.category,
                "code": question.code,
                "kind": question.kind,
                "required": question.required,
                "text": primary,
                "other": other if other and other != primary else "",
                "other_lang": "ja" if english else "en",
                "value": "" if value is None else str(value),
                "error": errors.get(question.code, ""),
                "choices": _choices(question),
            }
        )
    return sel.grouped(rows)


def _answer(request: HttpRequest, invitation, *, action_url: str) -> HttpResponse:
    state = sel.invitation_state(invitation)
    if state != InvitationState.OPEN:
        return _unavailable(request, state)
    survey = invitation.survey
    questions = sel.questions_of(survey.template_id)
    errors: dict[str, str] = {}
    values: dict = dict(invitation.draft or {})
    if request.method == "POST":
        values = {q.code: request.POST.get(f"q-{q.code}", "") for q in questions}
        try:
            if request.POST.get("action") == "save":
                errors = services.invitation_save_draft(
                    invitation=invitation, questions=questions, raw=values
                )
                if not errors:
                    messages.success(
                        request,
                        _("Your answers are saved. Open the same link again to continue."),
                    )
                    return redirect(action_url)
            else:
                response, errors = services.response_submit(
                    invitation=invitation, questions=questions, raw=values
                )
                if response is not None:
                    return render(request, "surveys/answer_thanks.html", {"survey": survey})
        except services.InvitationClosed as closed:
            return _unavailable(request, closed.state)
    else:
        services.invitation_mark_opened(invitation)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "project": survey.project,
            "invitation": invitation,
            "groups": answer_groups(questions, values, errors),
            "error_count": len(errors),
            "action_url": action_url,
            "until": services.last_answer_day(survey),
        },
    )


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The answer page behind an e-mailed link: no account needed, the token is the credential."""
    try:
        invitation = sel.invitation_for_token(token)
    except Http404:
        return _unavailable(request, "unknown")
    if not request.user.is_authenticated and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # No choice made on this device: the page speaks the language the invitation was written in.
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = invitation.language
    response = _answer(request, invitation, action_url=reverse("surveys:answer", args=[token]))
    # Keep the token out of other sites' logs. Not "no-referrer": with it browsers send "Origin: null" on
    # the form's own POST, and the CSRF check refuses the answers.
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
@never_cache
def portal_answer(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    """The same form inside the portal, for the signed-in person the invitation was sent to."""
    invitation = sel.invitation_for_recipient(request.user, pk, invitation_id)
    return _answer(request, invitation, action_url=reverse("surveys:portal_answer", args=[pk, invitation_id]))
