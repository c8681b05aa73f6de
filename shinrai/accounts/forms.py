"""Forms of the account pages. They validate the shape of the input; the services write and re-check."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinrai.core.locking import LockForm
from shinrai.core.models import Organization, User

from . import selectors
from .models import AccountPlan, KeyPerson, RelationshipSignal, RoadmapStep
from .services import MEET_EVERY_MAX, TEXT_LIMIT

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_future(value):
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return value


class _ProjectChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


def _project_field(*, user: User, customer: Organization) -> _ProjectChoice:
    return _ProjectChoice(
        label=_("Project"),
        queryset=selectors.account_projects(user=user, customer=customer),
        required=False,
        empty_label=_("(none)"),
    )


class PlanForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = AccountPlan
        fields = ["business", "market", "environment", "concerns", "strategy", "as_is", "to_be"]
        help_texts = {
            "business": _("What they do, for whom, and how they earn."),
            "market": _("Their market, their competitors and how they stand."),
            "environment": _("Management, organization, budget cycle, regulations."),
            "concerns": _("What worries the people we work with."),
            "strategy": _("Where their management wants to go."),
            "as_is": _("Today: how their business and systems work now."),
            "to_be": _("Where we want to be together in a few years."),
        }
        widgets = {name: forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_LIMIT}) for name in fields}

    def _post_clean(self):
        # The service validates and writes; do not let the ModelForm touch the instance.
        pass


class RoadmapStepForm(LockForm, forms.ModelForm):
    class Meta:
        model = RoadmapStep
        fields = ["fiscal_year", "title", "description", "status"]
        help_texts = {"fiscal_year": _("Japanese fiscal year: FY2026 runs from April 2026 to March 2027.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user: User, customer: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"] = _project_field(user=user, customer=customer)
        if self.instance.pk:
            self.fields["project"].initial = self.instance.project_id
        else:
            self.fields["fiscal_year"].initial = selectors.fiscal_year_of(timezone.localdate())

    def _post_clean(self):
        pass


class KeyPersonForm(LockForm, forms.ModelForm):
    meet_every_days = forms.IntegerField(
        label=_("Meet every (days)"),
        min_value=1,
        max_value=MEET_EVERY_MAX,
        required=False,
        help_text=_("How often we mean to meet them, e.g. 30. Leave empty for no plan."),
    )

    class Meta:
        model = KeyPerson
        fields = ["name", "position", "influence", "meet_every_days", "last_met_on", "notes"]
        widgets = {"last_met_on": _DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def clean_last_met_on(self):
        return _not_future(self.cleaned_data.get("last_met_on"))

    def _post_clean(self):
        pass


class SignalForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=RelationshipSignal.Kind.choices)
    occurred_on = forms.DateField(label=_("On"), widget=_DATE)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user: User, customer: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"] = _project_field(user=user, customer=customer)
        self.order_fields(["kind", "occurred_on", "project", "note"])
        if not self.is_bound:
            self.fields["occurred_on"].initial = timezone.localdate()

    def clean_occurred_on(self):
        return _not_future(self.cleaned_data.get("occurred_on"))
