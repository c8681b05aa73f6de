"""The one place where something worth telling people happens: notifications and webhooks both start here.

Services call :func:`emit` inside their transaction; delivery (in-app rows, e-mail through the task queue,
webhook posts) starts only once the transaction commits, so a rolled-back action tells nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

from shinrai.core.models import Project, User

from .models import Event


@dataclass(frozen=True)
class Occurrence:
    """What happened, said once; each channel words it for its reader."""

    event: Event
    project: Project | None
    subject: Promise | str  # gettext_lazy text with %(name)s placeholders, filled from ``params``
    url: str  # a path inside Shinrai ("/projects/3/reports/12/")
    params: dict = field(default_factory=dict)
    # Plain JSON values for webhooks (ids, codes, dates as ISO strings); never internal-only fields.
    facts: dict = field(default_factory=dict)

    def subject_in(self, language: str) -> str:
        with translation.override(language):
            return str(self.subject) % self.params if self.params else str(self.subject)


def emit(occurrence: Occurrence, *, recipients: Iterable[User]) -> None:
    """Tell ``recipients`` (in-app and e-mail, as each prefers) and the project's webhooks, after commit."""
    from . import notifications, webhooks  # the channels import models that import this module's callers

    people = list(recipients)
    # robust: a failing channel must not stop the other one (nor the request that already committed).
    transaction.on_commit(lambda: notifications.deliver(occurrence, people), robust=True)
    transaction.on_commit(lambda: webhooks.enqueue(occurrence), robust=True)
