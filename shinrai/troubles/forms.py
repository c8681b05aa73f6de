"""Forms of the trouble pages. They only validate input; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Project, User, Visibility

from .models import Option, Trouble

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _vendor_people(project: Project):
    return User.objects.filter(organization=project.vendor_org_id, is_active=True).order_by("display_name")


class TroubleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Trouble
        fields = [
            "kind",
            "title",
            "facts",
            "detected_at",
            "found_by",
            "severity",
            "probability",
            "quality_impact",
            "cost_impact",
            "schedule_impact_days",
            "owner",
        ]
        widgets = {
            "detected_at": _DATETIME,
            "facts": forms.Textarea(attrs={"rows": 4}),
            "quality_impact": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _vendor_people(project)
        self.fields["detected_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        # Not sent (an older page or script): keep what the trouble says ("we found it" for a new one).
        self.fields["found_by"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_found_by(self):
        return self.cleaned_data.get("found_by") or self.instance.found_by or Trouble.FoundBy.VENDOR

    def _post_clean(self):
        # The service validates and writes; do not let the ModelForm touch the instance.
        pass


class DiscloseForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Share with"),
        choices=[
            (Visibility.CUSTOMER, _("The customer")),
            (Visibility.PARTNERS, _("The customer and partners")),
        ],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note (vendor only)"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = ["description", "pros", "cons", "cost", "time_days", "schedule_effect_days"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "pros": forms.Textarea(attrs={"rows": 2}),
            "cons": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self):
        pass


class MeetingDecisionForm(forms.Form):
    option = forms.ModelChoiceField(label=_("Chosen option"), queryset=Option.objects.none())
    decided_by_name = forms.CharField(label=_("Who decided"), max_length=200)
    attendees = forms.CharField(
        label=_("Who attended"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    meeting_at = forms.DateTimeField(label=_("When the meeting was held"), widget=_DATETIME)
    rationale = forms.CharField(label=_("Why this option"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, trouble: Trouble, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = trouble.options.all()
        self.fields["option"].label_from_instance = lambda o: f"{o.label}: {o.description[:60]}"
        self.fields["meeting_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["version"].initial = trouble.version


class ChooseForm(forms.Form):
    option = forms.ModelChoiceField(
        label=_("Your choice"), queryset=Option.objects.none(), widget=forms.RadioSelect
    )
    rationale = forms.CharField(label=_("Why you chose it"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, trouble: Trouble, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = trouble.options.all()
        self.fields["option"].label_from_instance = lambda o: f"{o.label}: {o.description[:80]}"
        self.fields["version"].initial = trouble.version


class FollowUpForm(forms.Form):
    action = forms.CharField(label=_("Follow-up action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due = forms.DateField(label=_("Due date"), required=False, widget=_DATE)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _vendor_people(project)


class CloseForm(forms.Form):
    whys = forms.CharField(
        label=_("Why? Why? Why? (one answer per line, up to five)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    what_worked = forms.CharField(
        label=_("What worked"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measure_1 = forms.CharField(label=_("Prevention measure 1"), max_length=300)
    owner_1 = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_1 = forms.DateField(label=_("Due date"), required=False, widget=_DATE)
    measure_2 = forms.CharField(label=_("Prevention measure 2"), max_length=300, required=False)
    owner_2 = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_2 = forms.DateField(label=_("Due date"), required=False, widget=_DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, trouble: Trouble, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("owner_1", "owner_2"):
            self.fields[name].queryset = _vendor_people(trouble.project)
        self.fields["version"].initial = trouble.version

    def preventions(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"measure": data[f"measure_{i}"], "owner": data.get(f"owner_{i}"), "due": data.get(f"due_{i}")}
            for i in (1, 2)
            if data.get(f"measure_{i}")
        ]
