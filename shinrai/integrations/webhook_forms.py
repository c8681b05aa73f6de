"""Forms of the webhook pages; the services validate again (the API has no forms)."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinrai.core.locking import LockForm

from .models import Event, Webhook


class WebhookForm(LockForm):
    name = forms.CharField(label=pgettext_lazy("webhook", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Webhook.Kind.choices)
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The incoming webhook address given by Slack or Teams, or your own receiver."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_webhook(cls, webhook: Webhook) -> WebhookForm:
        return cls(
            initial={
                "name": webhook.name,
                "kind": webhook.kind,
                "url": webhook.url,
                "events": webhook.events,
                "active": webhook.active,
            },
            lock_of=webhook,
        )
