"""Forms of the ledger app (validation of shape; the rules live in services)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RequestForm(forms.Form):
    title = forms.CharField(label=_("What do you need?"), max_length=200)
    body = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_time = forms.TimeField(
        label=_("Due time"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        required=False,
        help_text=_("Leave empty for the end of the day (18:00)."),
    )

    def due_at(self) -> datetime:
        due_time = self.cleaned_data.get("due_time") or time(18, 0)
        return timezone.make_aware(datetime.combine(self.cleaned_data["due_date"], due_time))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class ChangeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What changes"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    cost_impact = forms.IntegerField(
        label=_("Cost impact (JPY)"), initial=0, help_text=_("Negative for a reduction.")
    )
    schedule_impact_days = forms.IntegerField(
        label=_("Schedule impact (days)"), initial=0, help_text=_("Negative when it finishes earlier.")
    )
    requested_by = forms.CharField(
        label=_("Requested by"), max_length=200, required=False, help_text=_("Who asked for the change.")
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Comment (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RecordForm(forms.Form):
    """An agreement, sign-off or decision made outside the app (e.g. in a meeting), or a correction."""

    KINDS = (
        ("agreement", _("Agreement")),
        ("sign_off", _("Sign-off")),
        ("decision", _("Decision")),
        ("correction", _("Correction of an earlier entry")),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    agreed_with = forms.CharField(
        label=_("Agreed with (who, where)"),
        max_length=300,
        required=False,
        help_text=_("e.g. the customer's sponsor, at the steering meeting of 2026-11-20"),
    )
    corrects = forms.IntegerField(
        label=_("Corrects entry #"), min_value=1, required=False, help_text=_("Only for a correction.")
    )
