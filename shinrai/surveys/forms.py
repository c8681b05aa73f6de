"""Forms of the surveys app (shape of the input; the rules live in services)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from shinrai.core.locking import LockForm

from . import selectors, services
from .models import Category, Facet, QuestionKind, Survey


class TemplateForm(LockForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CopyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the copy"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “Copy of …”."),
    )


class QuestionForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=16, help_text=_("Stays the same across versions, e.g. A1.")
    )
    # Empty first choices: an untouched blank row submits nothing and is left out.
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—")] + list(Category.choices))
    kind = forms.ChoiceField(label=_("Answer type"), choices=[("", "—")] + list(QuestionKind.choices))
    facet = forms.ChoiceField(
        label=_("Logical or emotional"),
        choices=[("", _("— (not scored)"))] + list(Facet.choices),
        required=False,
    )
    text_ja = forms.CharField(label=_("Question (Japanese)"), max_length=300, required=False)
    text_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    required = forms.TypedChoiceField(
        label=_("Answer required"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        initial="yes",
        coerce=lambda value: value == "yes",
    )


class BaseQuestionFormSet(forms.BaseFormSet):
    def questions(self) -> list[services.QuestionInput]:
        """The kept questions in the chosen order (ORDER, then their place on the page)."""
        rows = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None)
            if not data or not form.has_changed() or data.get("DELETE"):
                continue
            order = data.get("ORDER")
            rows.append((order if order is not None else 10_000 + index, index, data))
        rows.sort(key=lambda row: (row[0], row[1]))
        return [
            services.QuestionInput(
                code=data["code"],
                category=data["category"],
                kind=data["kind"],
                text_ja=data.get("text_ja", ""),
                text_en=data.get("text_en", ""),
                facet=data.get("facet", ""),
                required=bool(data.get("required")),
            )
            for _order, _index, data in rows
        ]


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=BaseQuestionFormSet,
    extra=3,
    can_delete=True,
    can_order=True,
    max_num=services.MAX_QUESTIONS,
    validate_max=True,
)


def question_initial(questions) -> list[dict]:
    return [
        {
            "code": q.code,
            "category": q.category,
            "kind": q.kind,
            "facet": q.facet,
            "text_ja": q.text_ja,
            "text_en": q.text_en,
            "required": "yes" if q.required else "no",
            "ORDER": position,
        }
        for position, q in enumerate(questions, start=1)
    ]


_EMAIL_SPLIT = re.compile(r"[\s,;、，]+")


class SurveyForm(forms.Form):
    """A new round on a project; the same form validates the API's input."""

    template = forms.ModelChoiceField(label=_("Template"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Survey.Kind.choices, initial=Survey.Kind.PULSE)
    milestone = forms.ModelChoiceField(
        label=_("After milestone (optional)"), queryset=None, required=False, empty_label=_("— none —")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        help_text=_("Answers are not linked to people, and results show only for groups of 3 or more."),
    )
    answer_until = forms.DateField(
        label=_("Answers accepted until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Up to the end of this day, Japan time. The links stop working then."),
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("The customer's people on this project"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extra_emails = forms.CharField(
        label=_("Other e-mail addresses (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, or separated by commas. Duplicates are sent once."),
        max_length=5000,
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["template"].queryset = selectors.templates_usable_on(project)
        self.fields["milestone"].queryset = selectors.project_milestones(project)
        self.fields["recipients"].queryset = selectors.customer_recipients_queryset(project)
        self.fields["recipients"].label_from_instance = lambda user: f"{user.display_name} <{user.email}>"
        if not self.is_bound and "answer_until" not in self.initial:
            self.initial["answer_until"] = services.default_answer_until()

    def clean_extra_emails(self) -> list[str]:
        return [part for part in _EMAIL_SPLIT.split(self.cleaned_data.get("extra_emails") or "") if part]

    def clean(self):
        cleaned = super().clean()
        if "recipients" not in cleaned or "extra_emails" not in cleaned:
            return cleaned
        try:
            services.recipients_merge(cleaned.get("recipients") or [], cleaned.get("extra_emails") or [])
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned

    def send_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "template": data["template"],
            "kind": data["kind"],
            "milestone": data.get("milestone"),
            "title": data["title"],
            "anonymous": data.get("anonymous", False),
            "answer_until": data["answer_until"],
            "recipients": list(data.get("recipients") or []),
            "extra_emails": data.get("extra_emails") or [],
        }
