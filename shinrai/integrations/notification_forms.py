"""Form of the notification preferences page: one e-mail and one in-app checkbox per event."""

from __future__ import annotations

from django import forms

from shinrai.core.locking import LockForm

from .models import Event


class PreferencesForm(LockForm):
    """Fields ``<event>__email`` and ``<event>__in_app`` for every event; unchecked means off."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for row in rows:
            self.fields[f"{row['event']}__email"] = forms.BooleanField(
                required=False, initial=row["email"], label=row["label"]
            )
            self.fields[f"{row['event']}__in_app"] = forms.BooleanField(
                required=False, initial=row["in_app"], label=row["label"]
            )

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {event: (data[f"{event}__email"], data[f"{event}__in_app"]) for event in Event.values}

    def rows(self) -> list[dict]:
        """For the template: the event's label and its two bound fields."""
        return [
            {"label": label, "email": self[f"{event}__email"], "in_app": self[f"{event}__in_app"]}
            for event, label in Event.choices
        ]
