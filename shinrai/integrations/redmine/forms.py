"""The import form of the Redmine page."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Organization, Project

from . import services
from .client import RedmineError, normalise_base_url


def _words(value: str) -> list[str]:
    return [word for word in re.split(r"[\s,、]+", value or "") if word]


class ImportForm(forms.Form):
    url = forms.CharField(label=_("Redmine address"), max_length=300, help_text="https://redmine.example.jp")
    api_key = forms.CharField(
        label=_("API key"),
        max_length=100,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Used for this import only and never stored. An administrator's key also matches people "
            "by e-mail."
        ),
    )
    projects = forms.CharField(
        label=_("Redmine project identifiers"),
        required=False,
        help_text=_("Separated by spaces or commas; empty imports every project the key can see."),
    )
    trouble_trackers = forms.CharField(
        label=_("Trackers imported as troubles"),
        required=False,
        help_text=_("E.g. 課題, リスク, 障害. Issues of other trackers become tasks."),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer of new projects"), queryset=Organization.objects.none(), required=False
    )
    into = forms.ModelChoiceField(
        label=_("Import into this existing project"), queryset=Project.objects.none(), required=False
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: show the plan, write nothing"), required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = services.customers_for(user)
        self.fields["into"].queryset = services.projects_for(user)

    def clean_url(self) -> str:
        try:
            return normalise_base_url(self.cleaned_data["url"])
        except RedmineError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_projects(self) -> list[str]:
        return _words(self.cleaned_data["projects"])

    def clean_trouble_trackers(self) -> list[str]:
        return _words(self.cleaned_data["trouble_trackers"])

    def clean(self):
        data = super().clean()
        if data.get("into") and len(data.get("projects") or []) != 1:
            self.add_error("projects", _("Give exactly one Redmine project to import into an existing one."))
        return data
