"""Forms of the progress pages. They only validate input; services write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shinrai.core.locking import LockForm
from shinrai.core.models import Project
from shinrai.requirements.models import Requirement

from . import selectors
from .models import Milestone, Task

_INDENT = "\u3000"  # an ideographic space per level, so that the select shows the tree
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MilestoneForm(LockForm, forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for a change of the forecast"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history with the old and the new date."),
    )

    class Meta:
        model = Milestone
        fields = [
            "name",
            "description",
            "deliverables",
            "criteria",
            "baseline_date",
            "forecast_date",
            "scope_note",
            "known_risks",
            "position",
            "visibility",
        ]
        widgets = {
            "baseline_date": _DATE,
            "forecast_date": _DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "deliverables": forms.Textarea(attrs={"rows": 3}),
            "criteria": forms.Textarea(attrs={"rows": 3}),
            "scope_note": forms.Textarea(attrs={"rows": 3}),
            "known_risks": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "baseline_date": _("The date promised at the start. It cannot be changed once set."),
            "forecast_date": _("The date we expect now. Empty: the baseline date."),
            "position": _("Empty: after the last milestone."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        if self.instance.pk is None:
            del self.fields["reason"]
        elif self.instance.baseline_date is not None:
            # Shown, never sent back: the service refuses a change anyway.
            self.fields["baseline_date"].disabled = True

    def _post_clean(self):
        # Model validation runs in the service, with the project; skip the instance checks here.
        pass


class MilestoneActualForm(LockForm):
    actual_date = forms.DateField(label=_("Reached on"), widget=_DATE)


class TaskForm(LockForm, forms.ModelForm):
    parent = forms.TypedChoiceField(label=_("parent task"), required=False, coerce=int, empty_value=None)
    order = forms.IntegerField(
        label=_("Place among its siblings"),
        min_value=1,
        required=False,
        help_text=_("1 is first. Empty: last for a new task or a new parent, else unchanged."),
    )
    duration_days = forms.DecimalField(
        label=_("Duration (business days)"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=1,
        required=False,
        help_text=_("Leave the planned finish empty to compute it from the start, skipping holidays."),
    )

    class Meta:
        model = Task
        fields = [
            "name",
            "owner",
            "planned_start",
            "planned_finish",
            "estimate_hours",
            "milestone",
            "requirements",
            "visibility",
        ]
        widgets = {"planned_start": _DATE, "planned_finish": _DATE, "requirements": forms.SelectMultiple}

    def __init__(self, *args, project: Project, rows, **kwargs):
        """``rows`` is the WBS from ``selectors.wbs_for``: parents are offered in tree order with codes."""
        super().__init__(*args, **kwargs)
        task = self.instance if self.instance.pk else None
        below = _below(rows, task)
        self._parents = {row.task.pk: row.task for row in rows if row.task.pk not in below}
        self.fields["parent"].choices = [("", _("— top level —"))] + [
            (row.task.pk, f"{_INDENT * row.depth}{row.code} {row.task.name}")
            for row in rows
            if row.task.pk in self._parents
        ]
        if task is not None:
            self.initial.setdefault("parent", task.parent_id)
        self.fields["owner"].queryset = selectors.owner_candidates(project=project)
        self.fields["milestone"].queryset = Milestone.objects.filter(project=project)
        # Withdrawn requirements are offered only when the task is already linked to them.
        linked = Q(pk__in=task.requirements.values("pk")) if task else Q(pk__in=[])
        self.fields["requirements"].queryset = Requirement.objects.filter(project=project).filter(
            ~Q(status=Requirement.Status.WITHDRAWN) | linked
        )
        self.fields["requirements"].label_from_instance = lambda r: f"{r.ref} {r.text[:40]}"
        self.fields["estimate_hours"].required = False
        self.order_fields(["name", "parent", "order"])

    def clean_estimate_hours(self):
        return self.cleaned_data.get("estimate_hours") or Decimal(0)

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        if parent_id not in self._parents:
            raise forms.ValidationError(_("Choose a parent task of this project."))
        return self._parents[parent_id]

    def _post_clean(self):
        pass


def _below(rows, task: Task | None) -> set[int]:
    """The task and every task below it (rows are in tree order, so a subtree is a run of deeper rows)."""
    if task is None:
        return set()
    found: set[int] = set()
    depth = None
    for row in rows:
        if depth is not None:
            if row.depth <= depth:
                break
            found.add(row.task.pk)
        elif row.task.pk == task.pk:
            depth = row.depth
            found.add(row.task.pk)
    return found


class TaskProgressForm(LockForm):
    progress = forms.IntegerField(label=_("progress (%)"), min_value=0, max_value=100)
    actual_hours = forms.DecimalField(
        label=_("actual (hours)"), min_value=Decimal(0), max_digits=9, decimal_places=2, required=False
    )
    status = forms.ChoiceField(label=_("status"), choices=Task.Status.choices)
