"""Progress pages: roadmap, WBS, Gantt and progress charts in the vendor's workspace; roadmap and schedule
in the customer's portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import access, locking
from shinrai.core.access import Perm
from shinrai.requirements import selectors as requirement_selectors

from . import chart_data, selectors, services, wbs_table
from .forms import MilestoneActualForm, MilestoneForm, TaskForm, TaskProgressForm


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's errors on the form's fields, or above the form for fields it does not have."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)


def _messages_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _roadmap(project) -> HttpResponse:
    return redirect("progress:roadmap", pk=project.pk)


def _wbs(project, task_id: int | None = None) -> HttpResponse:
    """Back to the WBS; with ``task_id``, to the page that lists the task, scrolled to its row."""
    url = reverse("progress:wbs", args=[project.pk])
    return redirect(f"{url}?task={task_id}#task-{task_id}" if task_id else url)


# --- Roadmap ---------------------------------------------------------------------------------------------


@login_required
def roadmap(request: HttpRequest, pk: int) -> HttpResponse:
    """Goals, then the path of milestones to them: baseline vs forecast, slips, and where we are."""
    project, role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    return render(
        request,
        "progress/roadmap.html",
        {
            "project": project,
            "perms": access.ROLE_PERMS[role],
            "goals": requirement_selectors.goals_for(user=request.user, project=project),
            "summary": selectors.project_schedule_summary(user=request.user, project=project),
            "actual_form": MilestoneActualForm(),
        },
    )


@login_required
def milestone_edit(request: HttpRequest, pk: int, milestone_id: int | None = None) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    milestone = None
    if milestone_id is not None:
        milestone = selectors.milestone_for(user=request.user, project=project, pk=milestone_id)
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        reason = fields.pop("reason", "")
        try:
            with locking.guard(milestone, form.lock_token):
                services.milestone_save(
                    by=request.user, project=project, milestone=milestone, reason=reason, **fields
                )
        except locking.Stale as stale:
            return locking.conflict(
                request,
                "progress/milestone_form.html",
                {"project": project, "milestone": milestone},
                form=form,
                stale=stale,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The milestone was saved."))
            return _roadmap(project)
    return render(
        request, "progress/milestone_form.html", {"project": project, "form": form, "milestone": milestone}
    )


@login_required
@require_POST
def milestone_actual(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    """Record the day a milestone was reached."""
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    milestone = selectors.milestone_for(user=request.user, project=project, pk=milestone_id)
    form = MilestoneActualForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the milestone was reached."))
        return _roadmap(project)
    try:
        with locking.guard(milestone, form.lock_token):
            services.milestone_record_actual(
                by=request.user, milestone=milestone, actual_date=form.cleaned_data["actual_date"]
            )
    except locking.Stale as stale:
        return _quick_conflict(
            request,
            form=form,
            stale=stale,
            title=_("%(name)s: reached on") % {"name": milestone.name},
            action=reverse("progress:milestone_actual", args=[project.pk, milestone.pk]),
            back_url=reverse("progress:roadmap", args=[project.pk]),
            back_label=_("Roadmap"),
        )
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("%(name)s was marked as reached.") % {"name": milestone.name})
    return _roadmap(project)


def _quick_conflict(request, *, form, stale, title, action, back_url, back_label) -> HttpResponse:
    """A stale save from a row's quick form (roadmap, WBS): its fields again on a page of their own, 409."""
    context = {"title": title, "action": action, "back_url": back_url, "back_label": back_label}
    return locking.conflict(
        request, "core/conflict_form.html", context, form=form, stale=stale, reload_url=back_url
    )


# --- WBS -------------------------------------------------------------------------------------------------


# A page of the WBS lists this many tasks in tree order (Redmine's issue list offers 25, 50 or 100).
WBS_PAGE_SIZE = 100


def _wbs_page_number(request: HttpRequest, outline: selectors.WbsOutline) -> int | str | None:
    """``?task=<id>``: the page that lists that task (where a save sends the user back); else ``?page``."""
    task_id = request.GET.get("task", "")
    if task_id.isdigit() and (position := outline.position_of(int(task_id))) is not None:
        return position // WBS_PAGE_SIZE + 1
    return request.GET.get("page")


# Past this many top-level tasks a list of them is no quicker than paging.
WBS_PHASE_LINKS = 40


def _wbs_phases(user, project, outline: selectors.WbsOutline) -> list[tuple[str, str, int]]:
    """(code, name, task id) of the top-level tasks, to jump to their pages; none when there are too many.
    Always one query, so that the page's count does not depend on the shape of the tree."""
    top = [line for line in outline.lines if line.depth == 0][: WBS_PHASE_LINKS + 1]
    names = dict(
        selectors.tasks_for(user=user, project=project)
        .filter(pk__in=[line.task_id for line in top])
        .values_list("id", "name")
    )
    if len(top) > WBS_PHASE_LINKS:
        return []
    return [(line.code, names[line.task_id], line.task_id) for line in top if line.task_id in names]


@login_required
def wbs(request: HttpRequest, pk: int) -> HttpResponse:
    """The WBS as a tree table with rolled-up figures and a quick progress form on every leaf task, a page
    of tasks at a time; the top-level tasks link to their pages. The figures come from the whole tree."""
    project, role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    perms = access.ROLE_PERMS[role]
    contribute = Perm.CONTRIBUTE in perms
    outline = selectors.wbs_outline(user=request.user, project=project)
    page = Paginator(outline.lines, WBS_PAGE_SIZE).get_page(_wbs_page_number(request, outline))
    rows = selectors.wbs_rows(user=request.user, project=project, lines=page.object_list)
    return render(
        request,
        "progress/wbs.html",
        {
            "project": project,
            "perms": perms,
            "contribute": contribute,
            "rows": rows,
            "page": page,
            "phases": _wbs_phases(request.user, project, outline),
            "wbs_rows": wbs_table.wbs_rows_html(request, project=project, rows=rows, contribute=contribute),
            "summary": selectors.project_schedule_summary(user=request.user, project=project, rows=outline),
        },
    )


@login_required
def task_edit(request: HttpRequest, pk: int, task_id: int | None = None) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    task = None
    if task_id is not None:
        task = selectors.task_for(user=request.user, pk=task_id, project=project)
    rows = selectors.wbs_for(user=request.user, project=project)
    initial = {}
    if task is None and (parent_id := request.GET.get("parent", "")).isdigit():
        initial["parent"] = int(parent_id)
    form = TaskForm(request.POST or None, instance=task, initial=initial, project=project, rows=rows)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        order = fields.pop("order")
        try:
            with locking.guard(task, form.lock_token):
                task = services.task_save(
                    by=request.user,
                    project=project,
                    task=task,
                    requirements=list(fields.pop("requirements")),
                    duration_days=fields.pop("duration_days"),
                    position=None if order is None else order - 1,
                    **fields,
                )
        except locking.Stale as stale:
            return locking.conflict(
                request, "progress/task_form.html", {"project": project, "task": task}, form=form, stale=stale
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The task was saved."))
            return _wbs(project, task.pk)
    return render(request, "progress/task_form.html", {"project": project, "form": form, "task": task})


@login_required
@require_POST
def task_progress(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """The quick progress update on a row of the WBS."""
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    task = selectors.task_for(user=request.user, pk=task_id, project=project)
    form = TaskProgressForm(request.POST)
    if not form.is_valid():
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
        messages.error(request, _("%(task)s: %(errors)s") % {"task": task.name, "errors": " ".join(errors)})
        return _wbs(project, task.pk)
    try:
        with locking.guard(task, form.lock_token):
            services.task_update_progress(by=request.user, task=task, **form.cleaned_data)
    except locking.Stale as stale:
        return _quick_conflict(
            request,
            form=form,
            stale=stale,
            title=_("Progress of %(task)s") % {"task": task.name},
            action=reverse("progress:task_progress", args=[project.pk, task.pk]),
            back_url=reverse("progress:wbs", args=[project.pk]) + f"?task={task.pk}#task-{task.pk}",
            back_label=_("WBS"),
        )
    except ValidationError as error:
        messages.error(
            request, _("%(task)s: %(errors)s") % {"task": task.name, "errors": _messages_of(error)}
        )
    else:
        messages.success(request, _("Progress of %(task)s was saved.") % {"task": task.name})
    return _wbs(project, task.pk)


@login_required
@require_POST
def task_delete(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    task = selectors.task_for(user=request.user, pk=task_id, project=project)
    try:
        services.task_delete(by=request.user, task=task)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return _wbs(project, task.pk)
    messages.success(request, _("%(task)s was deleted.") % {"task": task.name})
    return _wbs(project)


# --- Charts ----------------------------------------------------------------------------------------------


def _zoom(request: HttpRequest, default: str) -> str:
    zoom = request.GET.get("zoom", default)
    return zoom if zoom in chart_data.ZOOMS else default


@login_required
def gantt(request: HttpRequest, pk: int) -> HttpResponse:
    """Tasks and milestones on a timeline, every task the vendor has; ?zoom=week (default) or month."""
    project, _role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    zoom = _zoom(request, "week")
    project_charts = chart_data.ProjectCharts(
        user=request.user, project=project, audience=chart_data.Audience.VENDOR
    )
    return render(
        request,
        "progress/gantt.html",
        {"project": project, "zoom": zoom, "gantt": project_charts.gantt(zoom=zoom)},
    )


@login_required
def progress_charts(request: HttpRequest, pk: int) -> HttpResponse:
    """Burndown and earned value (PV, EV, AC, SPI, CPI, EAC), with what the figures mean."""
    project, _role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    project_charts = chart_data.ProjectCharts(
        user=request.user, project=project, audience=chart_data.Audience.VENDOR
    )
    return render(
        request,
        "progress/progress_charts.html",
        {"project": project, "charts": project_charts.progress(), "today": project_charts.today},
    )


# --- Customer portal -------------------------------------------------------------------------------------


@login_required
def portal_roadmap(request: HttpRequest, pk: int) -> HttpResponse:
    """The roadmap in plain words: where we are going, the milestones, and whether we are on schedule."""
    project, _role = access.project_for(request.user, pk)
    return render(
        request,
        "progress/portal_roadmap.html",
        {
            "project": project,
            "goals": requirement_selectors.goals_for(user=request.user, project=project),
            # A vendor previewing the portal sees exactly what the customer sees.
            "summary": selectors.project_schedule_summary(
                user=request.user,
                project=project,
                visibilities=chart_data.VISIBILITIES[chart_data.audience_for(request.user, portal=True)],
            ),
            "is_preview": access.is_vendor_user(request.user),
        },
    )


@login_required
def portal_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """The Gantt of the shared tasks and milestones (by month unless asked) and the burndown in percent."""
    project, _role = access.project_for(request.user, pk)
    zoom = _zoom(request, "month")
    project_charts = chart_data.ProjectCharts(
        user=request.user, project=project, audience=chart_data.audience_for(request.user, portal=True)
    )
    return render(
        request,
        "progress/portal_schedule.html",
        {
            "project": project,
            "zoom": zoom,
            "gantt": project_charts.gantt(zoom=zoom),
            "charts": project_charts.progress(),
            "is_preview": access.is_vendor_user(request.user),
        },
    )
