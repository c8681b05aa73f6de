"""Forms of the weekly report pages. They only validate input; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shinrai.core.locking import LockForm

from .models import WeeklyReport

_TEXT = {"rows": 6}


class ReportForm(LockForm, forms.ModelForm):
    class Meta:
        model = WeeklyReport
        fields = [
            "status",
            "status_reason",
            "done",
            "problem",
            "next_action",
            "schedule_outlook",
            "cost_outlook",
        ]
        widgets = {
            "status": forms.RadioSelect,
            "status_reason": forms.Textarea(attrs={"rows": 2}),
            "done": forms.Textarea(attrs=_TEXT),
            "problem": forms.Textarea(attrs=_TEXT),
            "next_action": forms.Textarea(attrs=_TEXT),
            "schedule_outlook": forms.Textarea(attrs={"rows": 3}),
            "cost_outlook": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "status_reason": _("Required for amber and red."),
            "problem": _("Issues and risks, disclosed early. Say what is being done about each."),
        }

    def clean(self):
        data = super().clean()
        if data.get("status") in ("amber", "red") and not (data.get("status_reason") or "").strip():
            self.add_error("status_reason", _("Give the reason for an amber or red status."))
        return data


class CorrectionForm(ReportForm):
    correction_note = forms.CharField(
        label=_("What was corrected and why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the customer with the corrected report."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
