"""Requirements pages: the vendor's workspace and the customer's review in the portal. Views stay thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access, locking
from shinrai.core.access import Perm

from . import nfr_catalogue, selectors, services
from .forms import (
    CriterionFormSet,
    GoalForm,
    ImportForm,
    RequirementForm,
    ReviewCommentForm,
    ReviewSubmitForm,
    StakeholderForm,
    SuccessMeasureFormSet,
)
from .models import Requirement
from .sentences import sentence


def _validation_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _home(project) -> HttpResponse:
    return redirect("requirements:home", pk=project.pk)


@login_required
def home(request: HttpRequest, pk: int) -> HttpResponse:
    """The requirements workspace: who was heard, goals, requirements with findings, review and baseline."""
    project, role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    requirements = selectors.requirements_for(user=request.user, project=project)
    baseline = selectors.latest_baseline(project=project)
    stakeholders = list(selectors.stakeholders_for(user=request.user, project=project))
    return render(
        request,
        "requirements/home.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "stakeholders": stakeholders,
            "not_heard": [s for s in stakeholders if not s.is_heard],
            "goals": selectors.goals_for(user=request.user, project=project),
            "requirements": requirements,
            "verifiability": selectors.verifiability_of(requirements),
            "review": selectors.open_review(project=project),
            "baseline": baseline,
            "changes": selectors.changes_since_baseline(
                user=request.user, project=project, baseline=baseline
            ),
            "comments": selectors.comments_by_requirement(user=request.user, project=project),
            "submit_form": ReviewSubmitForm(),
            "import_form": ImportForm(),
        },
    )


@login_required
def stakeholder_edit(request: HttpRequest, pk: int, stakeholder_id: int | None = None) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    stakeholder = None
    if stakeholder_id is not None:
        stakeholder = get_object_or_404(
            selectors.stakeholders_for(user=request.user, project=project), pk=stakeholder_id
        )
    form = StakeholderForm(request.POST or None, instance=stakeholder)
    if request.method == "POST" and form.is_valid():
        try:
            with locking.guard(stakeholder, form.lock_token):
                services.stakeholder_save(
                    by=request.user, project=project, stakeholder=stakeholder, **form.cleaned_data
                )
        except locking.Stale as stale:
            return locking.conflict(
                request, "requirements/stakeholder_form.html", {"project": project}, form=form, stale=stale
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The stakeholder was saved."))
            return _home(project)
    return render(request, "requirements/stakeholder_form.html", {"project": project, "form": form})


@login_required
def goal_edit(request: HttpRequest, pk: int, goal_id: int | None = None) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    goal = None
    if goal_id is not None:
        goal = get_object_or_404(selectors.goals_for(user=request.user, project=project), pk=goal_id)
    initial_measures = (
        [{"metric": m.metric, "target": m.target, "due_date": m.due_date} for m in goal.measures.all()]
        if goal
        else []
    )
    form = GoalForm(request.POST or None, instance=goal)
    measures = SuccessMeasureFormSet(request.POST or None, initial=initial_measures, prefix="measures")
    if request.method == "POST" and form.is_valid() and measures.is_valid():
        rows = [m.cleaned_data for m in measures if m.cleaned_data and not m.cleaned_data.get("DELETE")]
        try:
            with locking.guard(goal, form.lock_token):
                services.goal_save(
                    by=request.user,
                    project=project,
                    goal=goal,
                    measures=[
                        {"metric": r["metric"], "target": r["target"], "due_date": r.get("due_date")}
                        for r in rows
                    ],
                    **form.cleaned_data,
                )
        except locking.Stale as stale:
            return locking.conflict(
                request,
                "requirements/goal_form.html",
                {"project": project, "measures": measures},
                form=form,
                stale=stale,
                extra_rows=_measure_rows(stale.current, rows),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The goal was saved."))
            return _home(project)
    return render(
        request, "requirements/goal_form.html", {"project": project, "form": form, "measures": measures}
    )


def _measure_rows(goal, entered: list[dict]) -> list[locking.ConflictRow]:
    """The success measures as one line each, for the conflict view."""

    def line(metric, target, due) -> str:
        return " / ".join(locking.show(value) for value in (metric, target, due))

    theirs = [line(m.metric, m.target, m.due_date) for m in goal.measures.all()] if goal else []
    yours = [line(r["metric"], r["target"], r.get("due_date")) for r in entered]
    label = _("Success measures")
    return [locking.ConflictRow(label, "\n".join(theirs) or "—", "\n".join(yours) or "—")]


def _criteria_rows(formset) -> list[dict]:
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


@login_required
def requirement_edit(request: HttpRequest, pk: int, requirement_id: int | None = None) -> HttpResponse:
    """Write or change a requirement and its acceptance criteria; vague wording is flagged while typing."""
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    requirement = None
    initial, initial_criteria = {}, []
    if requirement_id is not None:
        requirement = get_object_or_404(
            selectors.requirements_for(user=request.user, project=project), pk=requirement_id
        )
        initial_criteria = selectors.criteria_snapshot(requirement.criteria.all())
    elif template := nfr_catalogue.by_code(request.GET.get("template", "")):
        language = get_language()
        initial = {
            "text": template.text(language),
            "kind": Requirement.Kind.NON_FUNCTIONAL,
            "category": template.category,
        }
        initial_criteria = template.criteria_values(language)
    form = RequirementForm(request.POST or None, instance=requirement, initial=initial, project=project)
    criteria = CriterionFormSet(request.POST or None, initial=initial_criteria, prefix="criteria")
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        fields = dict(form.cleaned_data)
        sources = list(fields.pop("sources"))
        try:
            if requirement is None:
                requirement = services.requirement_create(
                    by=request.user,
                    project=project,
                    sources=sources,
                    criteria=_criteria_rows(criteria),
                    **fields,
                )
            else:
                with locking.guard(requirement, form.lock_token):
                    services.requirement_update(
                        by=request.user,
                        requirement=requirement,
                        sources=sources,
                        criteria=_criteria_rows(criteria),
                        **fields,
                    )
        except locking.Stale as stale:
            return locking.conflict(
                request,
                "requirements/requirement_form.html",
                {"project": project, "criteria": criteria, "requirement": requirement},
                form=form,
                stale=stale,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(ref)s was saved.") % {"ref": requirement.ref})
            return _home(project)
    return render(
        request,
        "requirements/requirement_form.html",
        {"project": project, "form": form, "criteria": criteria, "requirement": requirement},
    )


@login_required
@require_POST
def requirement_withdraw(request: HttpRequest, pk: int, requirement_id: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    requirement = get_object_or_404(
        selectors.requirements_for(user=request.user, project=project), pk=requirement_id
    )
    try:
        services.requirement_withdraw(by=request.user, requirement=requirement)
    except ValidationError as error:
        messages.error(request, " ".join(_validation_messages(error)))
    return _home(project)


@login_required
def catalogue(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    language = get_language()
    groups = [
        (Requirement.Category(category).label, [(t, t.title(language), t.text(language)) for t in templates])
        for category, templates in nfr_catalogue.grouped()
    ]
    return render(request, "requirements/catalogue.html", {"project": project, "groups": groups})


@login_required
@require_POST
def review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.EDIT)
    form = ReviewSubmitForm(request.POST)
    if form.is_valid():
        try:
            services.review_submit(by=request.user, project=project, message=form.cleaned_data["message"])
        except ValidationError as error:
            messages.error(request, " ".join(_validation_messages(error)))
        else:
            messages.success(request, _("The requirements were sent to the customer for review."))
    return _home(project)


@login_required
@require_POST
def review_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.EDIT)
    review = selectors.open_review(project=project)
    if review is None:
        raise Http404
    services.review_withdraw(by=request.user, review=review)
    messages.success(request, _("The review was withdrawn. You can change the requirements again."))
    return _home(project)


@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from . import excel  # openpyxl is only needed here

    project, _role = access.project_for(request.user, pk)
    content = excel.export_requirements(user=request.user, project=project)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"{project.code}-requirements-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def import_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an Excel file (.xlsx) to import."))
        return _home(project)
    from . import excel

    result = excel.import_requirements(user=request.user, project=project, file=form.cleaned_data["file"])
    if result.errors:
        return render(request, "requirements/import_errors.html", {"project": project, "result": result})
    messages.success(
        request,
        _("Imported: %(created)d added, %(updated)d changed, %(unchanged)d unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return _home(project)


# --- Customer portal -------------------------------------------------------------------------


@login_required
def portal(request: HttpRequest, pk: int) -> HttpResponse:
    """The requirements in plain language with their acceptance criteria; the customer reviews here."""
    project, role = access.project_for(request.user, pk)
    perms = access.ROLE_PERMS[role]
    language = get_language()
    requirements = list(
        selectors.requirements_for(user=request.user, project=project, include_withdrawn=False)
    )
    review = selectors.open_review(project=project)
    comments = selectors.comments_by_requirement(user=request.user, project=project)
    rows = [
        {
            "requirement": r,
            "criteria": [sentence(c, language) for c in r.criteria.all()],
            "comments": comments.get(r.id, []),
        }
        for r in requirements
    ]
    baseline = selectors.latest_baseline(project=project)
    return render(
        request,
        "requirements/portal.html",
        {
            "project": project,
            "perms": perms,
            "rows": rows,
            "goals": selectors.goals_for(user=request.user, project=project),
            "review": review,
            "baseline": baseline,
            "changes": selectors.changes_since_baseline(
                user=request.user, project=project, baseline=baseline
            ),
            "comment_form": ReviewCommentForm(),
            "is_preview": access.is_vendor_user(request.user),
        },
    )


@login_required
@require_POST
def portal_comment(request: HttpRequest, pk: int, requirement_id: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.COMMENT)
    review = selectors.open_review(project=project)
    requirement = get_object_or_404(
        selectors.requirements_for(user=request.user, project=project), pk=requirement_id
    )
    form = ReviewCommentForm(request.POST)
    if review is None:
        messages.error(request, _("There is no review open at the moment."))
    elif not form.is_valid():
        messages.error(request, _("Write a comment."))
    else:
        services.review_comment(
            by=request.user, review=review, requirement=requirement, body=form.cleaned_data["body"]
        )
        messages.success(request, _("Your comment was sent to the project team."))
    return redirect("requirements:portal", pk=project.pk)


@login_required
@require_POST
def portal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.DECIDE)
    review = selectors.open_review(project=project)
    if review is None:
        messages.error(request, _("There is no review open at the moment."))
    elif request.POST.get("confirm") != "yes":
        messages.error(request, _("Please confirm that you have read the requirements."))
    else:
        baseline = services.review_approve(by=request.user, review=review)
        messages.success(
            request,
            _("Thank you. You approved the requirements (version %(version)d).")
            % {"version": baseline.version},
        )
    return redirect("requirements:portal", pk=project.pk)
