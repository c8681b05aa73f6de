"""Forms of the gray-zone and anticipated-question pages. They only read input; services check and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from shinrai.core.locking import LockForm
from shinrai.core.models import Organization, Project, User, Visibility

from . import selectors
from .models import GrayZoneItem

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Where a service names a field ("organization_id", as the API does) and which form field shows it.
FIELD_OF = {
    "organization_id": "organization",
    "person_id": "person",
    "source_id": "source",
    "partner_ids": "partners",
}


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = FIELD_OF.get(name, name)
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)


def messages_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class ItemForm(LockForm, forms.Form):
    """Mark an item (with its source) or change one (``lock_of`` the item: no source then)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    reason = forms.ChoiceField(
        label=_("Why it is a gray zone"), choices=GrayZoneItem.Reason.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What needs doing"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source = forms.ChoiceField(label=_("Comes from"), required=False)

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is None:  # editing: the source does not change
            del self.fields["source"]
            return
        labels = dict(GrayZoneItem.Source.choices)
        grouped: list = [(GrayZoneItem.Source.ACTION.value, _("Nothing: an action that stands alone"))]
        for source, rows in choices.items():
            if rows:
                grouped.append((labels[source], [(f"{source}:{pk}", label) for pk, label in rows]))
        self.fields["source"].choices = grouped

    def source_parts(self) -> tuple[str, int | None]:
        value = self.cleaned_data.get("source") or GrayZoneItem.Source.ACTION
        source, _sep, pk = value.partition(":")
        return source, int(pk) if pk.isdigit() else None


def _partner_field(project: Project) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Partner vendors"),
        queryset=selectors.partner_orgs(project=project).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ShareForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Share with"),
        choices=[
            (Visibility.CUSTOMER, _("The customer")),
            (Visibility.PARTNERS, _("The customer and the partner vendors chosen below")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"] = _partner_field(project)


class _OwnerFields(forms.Form):
    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = selectors.owner_orgs(project=project)
        self.fields["organization"] = forms.ModelChoiceField(
            label=_("Organization"),
            queryset=Organization.objects.filter(pk__in=[org.pk for org in orgs]),
            empty_label=None,
        )
        people = [user for _org, users in selectors.people_by_org(project=project) for user in users]
        person = forms.ModelChoiceField(
            label=_("Person (optional)"),
            queryset=User.objects.filter(pk__in=[user.pk for user in people]).select_related("organization"),
            required=False,
        )
        person.label_from_instance = lambda user: f"{user.display_name} ({user.organization.name})"
        self.fields["person"] = person
        # Keep the fields in the order the page reads them.
        self.order_fields(["organization", "person"])


class OfferForm(_OwnerFields):
    note = forms.CharField(
        label=_("Note with the offer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(_OwnerFields):
    rationale = forms.CharField(label=_("Why this owner"), widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why not"), widget=forms.Textarea(attrs={"rows": 2}))


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=_("What the customer sponsor is asked to decide"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, vendor: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if vendor:
            self.fields["vendor_only"] = forms.BooleanField(label=_("Vendor only"), required=False)


# --- Anticipated questions -------------------------------------------------------------------------------


class PositionForm(LockForm, forms.Form):
    question = forms.CharField(label=_("The question we expect"), max_length=300)
    meeting = forms.CharField(label=_("Meeting"), max_length=200, required=False)
    meeting_on = forms.DateField(label=_("Meeting date"), required=False, widget=_DATE)
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 4}))
    options = forms.CharField(label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    recommendation = forms.CharField(label=_("Our recommendation"), widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("What changed in this version"), max_length=300, required=False)

    def __init__(self, *args, shared: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not shared:  # a draft changes in place: there is no version to describe
            del self.fields["note"]


class PositionShareForm(ShareForm):
    pass
