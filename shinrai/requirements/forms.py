"""Forms of the requirements pages. They only validate input; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shinrai.core.locking import LockForm

from .models import AcceptanceCriterion, Goal, Requirement, Stakeholder


class StakeholderForm(LockForm, forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = [
            "name",
            "organization_name",
            "category",
            "expectations",
            "concerns",
            "heard_on",
            "hearing_notes",
            "visibility",
        ]
        widgets = {
            "heard_on": forms.DateInput(attrs={"type": "date"}),
            "expectations": forms.Textarea(attrs={"rows": 3}),
            "concerns": forms.Textarea(attrs={"rows": 3}),
            "hearing_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self):
        # The service compares the stored values with the new ones and writes; if the ModelForm copied the
        # input onto the instance first, the service saw no change and saved nothing.
        pass


class GoalForm(LockForm, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "to_be", "success_definition", "visibility"]
        widgets = {
            "to_be": forms.Textarea(attrs={"rows": 3}),
            "success_definition": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self):
        # As above: otherwise the service saw no change and wrote no audit event.
        pass


class SuccessMeasureForm(forms.Form):
    metric = forms.CharField(label=_("metric"), max_length=200)
    target = forms.CharField(label=_("target"), max_length=100)
    due_date = forms.DateField(label=_("by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


SuccessMeasureFormSet = forms.formset_factory(SuccessMeasureForm, extra=2, can_delete=True)


class RequirementForm(LockForm, forms.ModelForm):
    class Meta:
        model = Requirement
        fields = ["text", "kind", "category", "priority", "goal", "sources", "visibility"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "data-verifiability": "", "class": "requirement-text"}),
            "sources": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this project's goals and stakeholders can be chosen.
        self.fields["goal"].queryset = Goal.objects.filter(project=project)
        self.fields["sources"].queryset = Stakeholder.objects.filter(project=project)

    def clean(self):
        cleaned = super().clean()
        kind, category = cleaned.get("kind"), cleaned.get("category")
        if kind == Requirement.Kind.NON_FUNCTIONAL and not category:
            self.add_error("category", _("Choose the category of a non-functional requirement."))
        if kind == Requirement.Kind.FUNCTIONAL and category:
            cleaned["category"] = ""
        return cleaned

    def _post_clean(self):
        # Model validation runs in the service, with the project's numbering; skip the instance checks here.
        pass


class CriterionForm(forms.ModelForm):
    class Meta:
        model = AcceptanceCriterion
        fields = ["metric", "operator", "threshold", "threshold_high", "unit", "condition", "method"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("operator") == AcceptanceCriterion.Operator.BETWEEN and not cleaned.get(
            "threshold_high"
        ):
            self.add_error("threshold_high", _("A range needs an upper threshold."))
        return cleaned

    def _post_clean(self):
        pass


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True)


class ReviewSubmitForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the customer"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewCommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
