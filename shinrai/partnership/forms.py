"""The partnership check's form. It only reads input; the services check and write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from shinrai.core.locking import LockForm

from .models import QUESTIONS, fiscal_quarter_of, quarter_label

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERIODS_OFFERED = 8  # this quarter and the seven before it


def recent_quarters(today: date, n: int = PERIODS_OFFERED) -> list[tuple[int, int]]:
    year, quarter = fiscal_quarter_of(today)
    found = []
    for _i in range(n):
        found.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return found


def score_choices() -> list[tuple[int, str]]:
    return [
        (1, _("1 — not at all")),
        (2, _("2 — rarely")),
        (3, _("3 — sometimes")),
        (4, _("4 — mostly")),
        (5, _("5 — fully")),
    ]


class AssessmentForm(LockForm, forms.Form):
    """Record a quarter's check (``today`` given: the quarter is chosen) or change one (``lock_of`` it)."""

    period = forms.ChoiceField(label=_("Quarter (Japanese fiscal year, April to March)"))
    assessed_on = forms.DateField(label=_("Assessed on"), widget=_DATE)
    notes = forms.CharField(
        label=_("Overall notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The five questions, each a score and a note, in the order they are asked (after the period).
        for code, question, help_text in QUESTIONS:
            self.fields[code] = forms.TypedChoiceField(
                label=question,
                help_text=help_text,
                choices=score_choices(),
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"{code}_note"] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.order_fields(["period", *[n for c, _q, _h in QUESTIONS for n in (c, f"{c}_note")], "notes"])
        if today is None:  # changing a check: its quarter stays
            del self.fields["period"]
        else:
            self.fields["period"].choices = [
                (f"{year}-{quarter}", quarter_label(year, quarter))
                for year, quarter in recent_quarters(today)
            ]

    def period_parts(self) -> tuple[int, int]:
        year, quarter = self.cleaned_data["period"].split("-")
        return int(year), int(quarter)


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the fields it names; the quarter's on the period field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name in ("fiscal_year", "quarter"):
            name = "period"
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)
