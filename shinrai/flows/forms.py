"""Forms of the flows pages: the shape of the input. The rules (titles, parsing the file) live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shinrai.core.locking import LockForm
from shinrai.core.models import Visibility

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def visibility_choices(user) -> list[tuple[str, str]]:
    """Customer users cannot pick "vendor only": they would hide the flow from themselves."""
    if user.organization.kind == "vendor":
        return list(Visibility.choices)
    return [(value, label) for value, label in Visibility.choices if value != Visibility.INTERNAL]


class BpmnFileField(forms.FileField):
    """A .bpmn upload: the size is checked before the file is read into memory."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB. Nothing was stored.")
                % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class _VisibilityMixin:
    def _set_visibility(self, user) -> None:
        self.fields["visibility"].choices = visibility_choices(user)


class FlowCreateForm(_VisibilityMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(label=_("Who may see it"), initial=Visibility.CUSTOMER)
    file = BpmnFileField(
        label=_("BPMN file (.bpmn)"),
        help_text=_("BPMN 2.0 XML with its diagram, as saved by bpmn.io, Camunda Modeler and others."),
        widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml,application/xml,text/xml"}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_visibility(user)


class FlowEditForm(_VisibilityMixin, LockForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(label=_("Who may see it"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_visibility(user)


class VersionForm(forms.Form):
    file = BpmnFileField(
        label=_("BPMN file (.bpmn)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml,application/xml,text/xml"}),
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class AttachForm(forms.Form):
    requirement = forms.ModelChoiceField(label=_("Requirement"), queryset=None)

    def __init__(self, *args, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the project's requirements the user may see: anything else is "not one of the choices".
        self.fields["requirement"].queryset = requirements
        self.fields["requirement"].label_from_instance = lambda r: f"{r.ref} {r.text[:60]}"


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class CompareForm(forms.Form):
    from_number = forms.IntegerField(label=_("From version"), min_value=1)
    to_number = forms.IntegerField(label=_("To version"), min_value=1)
