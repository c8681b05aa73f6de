"""The rows of the WBS page's table, as HTML built here rather than in the template.

Why not a template: a big project has hundreds of tasks, and each row has some 30 cells, links and form
fields. Django's template engine spends about half a millisecond per such row (resolving, localizing and
escaping every variable): 150 ms for a 288-task project against a page budget of 25 ms. ``str.format`` with
the standard library's escaping (what Django's ``escape`` calls) does the same in a few milliseconds. Dates,
numbers and status menus repeat across rows, so each distinct one is formatted once; URLs are reversed once
and filled in per task. The HTML is the one the template made.
"""

from __future__ import annotations

import html as stdlib_html
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.defaultfilters import floatformat
from django.templatetags.l10n import unlocalize
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from shinrai.core import locking
from shinrai.core.models import Visibility
from shinrai.core.templatetags.humanize_jp import date_or_dash

from .models import Task
from .selectors import WbsRow

_ROW = (
    '<tr id="task-{pk}" class="{summary} status-{status}">'
    '<td class="mono">{code}</td>'
    '<td class="wbs-name indent-{indent}">{name}{internal}{milestone}{refs}{sub_task}</td>'
    "<td>{owner}</td>"
    '<td class="nowrap">{start}</td><td class="nowrap">{finish}</td>'
    '<td class="num">{estimate}</td><td class="num">{actual}</td>'
    '<td class="nowrap"><progress max="100" value="{percent}" aria-label="{progress_label}">'
    "{percent}%</progress> {progress}%</td>"
    '<td class="nowrap">{status_label}</td>{report}</tr>\n'
)
_QUICK_FORM = (
    '<td><form method="post" action="{action}" class="wbs-quick">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="lock" value="{lock}">\n'
    '<label class="visually-hidden" for="progress-{pk}">{progress_field}</label> <input type="number" '
    'name="progress" id="progress-{pk}" min="0" max="100" step="1" value="{task_progress}" required>%\n'
    '<label class="visually-hidden" for="actual-{pk}">{actual_field}</label> <input type="number" '
    'name="actual_hours" id="actual-{pk}" min="0" step="0.25" value="{task_actual}">h\n'
    '<label class="visually-hidden" for="status-{pk}">{status_field}</label> '
    '<select name="status" id="status-{pk}">{options}</select>\n'
    '<button type="submit" class="button-small">{save}</button></form></td>'
)


def esc(value) -> str:
    """HTML-escape a value for text or a quoted attribute, exactly as ``django.utils.html.escape``."""
    return stdlib_html.escape(str(value))


def _task_url(name: str, project_pk: int) -> Callable[[int], str]:
    """A function of a task id giving the URL ``name`` for it: reversed once, not once per row."""
    sentinel = "987654321"  # any id: replaced by each task's (the last one: the project's id comes first)
    head, _sentinel, tail = reverse(name, args=[project_pk, sentinel]).rpartition(sentinel)
    return lambda task_id: f"{head}{task_id}{tail}"


_STRFTIME = {"Y": "%Y", "m": "%m", "d": "%d"}


def _short_date_formatter() -> Callable:
    """``date_or_dash`` for the active language; for the usual formats (Y/m/d, m/d/Y …) one ``strftime``
    instead of Django's format parser, any other format through Django's."""
    pattern = get_format("SHORT_DATE_FORMAT")
    if not all(char in _STRFTIME or char in "/-." for char in pattern):
        return date_or_dash
    strftime = "".join(_STRFTIME.get(char, char) for char in pattern)
    return lambda value: value.strftime(strftime) if value else "—"


def _hours(value, places: str) -> str:
    """``floatformat(value, places)`` with a negative ``places`` ("-2": decimals only when there are some).
    A whole number needs no formatting (without thousand separators it is its digits)."""
    if (
        places.startswith("-")
        and isinstance(value, Decimal)
        and not settings.USE_THOUSAND_SEPARATOR
        and value == value.to_integral_value()
    ):
        return str(int(value))
    return floatformat(value, places)


def _memo(function: Callable) -> Callable:
    """``function`` with its results kept for the length of one table (values repeat across rows)."""
    seen: dict = {}

    def memoized(*args):
        if args not in seen:
            seen[args] = function(*args)
        return seen[args]

    return memoized


def wbs_rows_html(request, *, project, rows: list[WbsRow], contribute: bool) -> SafeString:
    """The table body's rows; with ``contribute``, links to edit and add sub-tasks, and on every leaf task
    the quick progress form (summaries take their figures from their sub-tasks).

    Every text goes through ``esc`` (what Django's ``escape`` does, without its lazy-string wrapper):
    the fragments below are plain ``str.format`` templates, filled only with escaped values."""
    short_date = _short_date_formatter()
    day = _memo(lambda value: esc(short_date(value)))
    number = _memo(lambda value, places: esc(_hours(value, places)))
    statuses = [(esc(value), esc(label)) for value, label in Task.Status.choices]
    status_label = _memo(lambda status: esc(Task.Status(status).label))  # WbsRow.status_label
    owners: dict[int | None, str] = {None: esc("—")}
    percents: dict = {}
    options = _memo(
        lambda current: "".join(
            f'<option value="{value}"{" selected" if value == current else ""}>{label}</option>'
            for value, label in statuses
        )
    )
    labels = {
        "progress_label": esc(_("Progress")),
        "progress_field": esc(_("progress (%)")),
        "actual_field": esc(_("actual (hours)")),
        "status_field": esc(_("status")),
        "save": esc(_("Save")),
    }
    vendor_only = f' <span class="badge">{esc(_("Vendor only"))}</span>'
    from_sub_tasks = '<td><span class="muted">{}</span></td>'.format(esc(_("From sub-tasks")))
    sub_task_label = esc(_("+ sub-task"))
    if contribute:
        edit_url = _task_url("progress:task_edit", project.pk)
        progress_url = _task_url("progress:task_progress", project.pk)
        new_url = esc(reverse("progress:task_new", args=[project.pk]))
        csrf = esc(get_token(request))

    html = []
    for row in rows:
        task = row.task
        pk = int(task.pk)
        refs = ", ".join(requirement.ref for requirement in row.requirements)
        name, sub_task, report = esc(task.name), "", ""
        if contribute:
            name = f'<a href="{esc(edit_url(pk))}">{name}</a>'
            sub_task = f'<br><a class="muted" href="{new_url}?parent={pk}">{sub_task_label}</a>'
            if row.is_summary:
                report = from_sub_tasks
            else:
                report = _QUICK_FORM.format(
                    action=esc(progress_url(pk)),
                    csrf=csrf,
                    lock=locking.token(task),  # hex digits: nothing to escape
                    pk=pk,
                    task_progress=esc(unlocalize(task.progress)),
                    task_actual=esc(unlocalize(task.actual_hours)),
                    options=options(task.status),
                    **labels,
                )
        if task.owner_id not in owners:
            owners[task.owner_id] = esc(task.owner.display_name or "—")
        if row.progress not in percents:
            percents[row.progress] = int(row.percent)
        html.append(
            _ROW.format(
                pk=pk,
                summary="wbs-summary" if row.is_summary else "",
                status=esc(row.status),
                code=esc(row.code),
                indent=int(row.indent),
                name=name,
                internal=vendor_only if task.visibility == Visibility.INTERNAL else "",
                milestone=f'<br><span class="muted">◆ {esc(task.milestone.name)}</span>'
                if task.milestone_id
                else "",
                refs=f'<br><span class="muted mono">{esc(refs)}</span>' if refs else "",
                sub_task=sub_task,
                owner=owners[task.owner_id],
                start=day(row.planned_start),
                finish=day(row.planned_finish),
                estimate=number(row.estimate_hours, "-2"),
                actual=number(row.actual_hours, "-2"),
                percent=percents[row.progress],
                progress=number(row.progress, "-1"),
                status_label=status_label(row.status),
                report=report,
                progress_label=labels["progress_label"],
            )
        )
    return mark_safe("".join(html))  # noqa: S308 -- built only from the templates above and escaped values
