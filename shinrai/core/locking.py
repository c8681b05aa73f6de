"""Optimistic locking for every editable object: a save made from a stale copy is refused, never merged.

An editor loads an object, changes it and saves. If someone else saved it in between, the later save must
not silently overwrite the earlier one. The pieces, shared by every app:

- ``token(obj)`` names the stored state of an object. Edit forms carry it in a hidden ``lock`` field
  (``LockForm``); the API carries the same state as the object's ETag (``api.sync.etag``), checked against
  ``If-Match`` (412).
- ``guard(obj, token)`` runs a save: inside one transaction it re-reads the row locked
  (``select_for_update``; SQLite's transactions are IMMEDIATE, so they queue the same way) and compares its
  state with the token the editor loaded. If they differ it raises ``Stale`` before the service runs: nothing
  is written and no audit event is added. No token (an API call without ``If-Match``, a form posted by a
  page from before this release) means "unconditional", as before.
- ``conflict(...)`` answers a stale page save: HTTP 409, the same form with the user's input kept (its
  token moved to the current state, so saving again is a deliberate overwrite), and the shared partial
  ``core/_conflict.html`` (included by ``base.html``) saying who changed it when, and what is saved now
  beside what the user entered, with a link to reload.

The state of an object is, in this order:

1. its ``updated_at`` (every service sets it on every write): tasks, milestones, requirements, weekly
   reports, flows, troubles, account plans, projects;
2. for the models in ``CONTENT``, a fingerprint of the stored content they are edited as: their own fields
   and the rows edited with them (a goal's success measures, a survey template's questions);
3. its ``version``;
4. a fingerprint of every stored field of its row (stakeholders, glossary terms, roadmap steps, key people,
   webhooks …). No new column, so no migration; and a change made outside the services is caught too.

Troubles and account plans keep their own ``version`` lock (``troubles.services.StaleEdit``,
``accounts.services.StalePlan``, both ``Stale``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

LOCK_FIELD = "lock"


@dataclass(frozen=True)
class Content:
    """What the fingerprint of a model covers: its fields (``fields``, or all but ``exclude``) and the rows of
    the ``related`` managers, which its edit form changes with it."""

    fields: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


#: Models whose fingerprint is not simply "every field of the row" (model label → what it covers).
CONTENT: dict[str, Content] = {
    # A person's own settings: what the profile API changes; not the password hash nor the last log-in.
    "core.user": Content(fields=("email", "display_name", "language")),
    "requirements.goal": Content(related=("measures",)),
    # The template's own ``version`` numbers its versions; it is not a lock (the questions are edited too).
    "surveys.surveytemplate": Content(related=("questions",)),
    # The signing secret stays out of anything shown (it is changed by its own action, not the form).
    "integrations.webhook": Content(exclude=("secret",)),
}


class Stale(ValidationError):
    """Someone else saved the object after this editor loaded it. Nothing of this save was written.

    ``current`` is the object as stored now (read under the lock), when there is one.
    """

    def __init__(self, message: str | None = None, *, current: models.Model | None = None):
        super().__init__(message or stale_message(), code="stale")
        self.current = current


def stale_message() -> str:
    return _(
        "Someone else changed this after you opened it. Your changes were not saved: check what is saved "
        "now, then save again or reload."
    )


# --- The state of an object ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """The same text for a value read from the database and the value just saved (UTC, no trailing zeros)."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _row(obj: models.Model, spec: Content) -> list:
    names = spec.fields
    concrete = obj._meta.concrete_fields
    if names is None:
        names = tuple(f.name for f in concrete if f.name not in spec.exclude)
    values = []
    for name in names:
        model_field = obj._meta.get_field(name)
        values.append([name, _plain(getattr(obj, model_field.attname))])
    return values


def fingerprint(obj: models.Model, spec: Content | None = None) -> str:
    """A digest of the stored content of ``obj`` (and of the rows ``spec.related`` names)."""
    spec = spec or CONTENT.get(obj._meta.label_lower, Content())
    content: list = [_row(obj, spec)]
    for name in spec.related:
        rows = getattr(obj, name).order_by("pk")
        content.append([_row(row, Content()) for row in rows])
    return content_digest(content)


def content_digest(content: Any) -> str:
    """A digest of any JSON-able content (for states that are not one row, e.g. a person's preferences)."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return "c" + hashlib.sha256(text.encode()).hexdigest()[:40]


def state(obj: models.Model) -> str:
    """The stored state of ``obj``, as described in the module docstring."""
    updated_at = getattr(obj, "updated_at", None)
    if updated_at is not None:
        return _plain(updated_at)
    label = obj._meta.label_lower
    if label not in CONTENT and getattr(obj, "version", None) is not None:
        return f"v{obj.version}"
    return fingerprint(obj)


def token(obj: models.Model, state_of: Callable[[models.Model], str] = state) -> str:
    """The opaque token of the state of ``obj``: the form's hidden ``lock``, and the ETag without quotes."""
    label = f"{obj._meta.label_lower}:{obj.pk}:{state_of(obj)}"
    return hashlib.sha256(label.encode()).hexdigest()[:32]


# --- The check -------------------------------------------------------------------------------------------


def lock(obj: models.Model) -> models.Model | None:
    """Lock the row of ``obj`` for the rest of the transaction and return it as stored (None: deleted).

    An item of a project locks the project's row first: the services that renumber or append lock the
    project and then its items, so taking them in the same order here means two saves never deadlock.
    """
    project_id = getattr(obj, "project_id", None)
    if project_id is not None:
        from .models import Project

        Project.objects.select_for_update().filter(pk=project_id).values_list("pk", flat=True).first()
    return obj._meta.model._base_manager.select_for_update().filter(pk=obj.pk).first()


@contextmanager
def guard(
    obj: models.Model | None, expected: str | None, *, state_of: Callable[[models.Model], str] = state
) -> Iterator[None]:
    """Run the save inside only if ``obj`` is stored as the editor loaded it (``expected``, its token).

    The row stays locked until the transaction ends, so of two editors sending the same token only the first
    saves; the second gets ``Stale`` (with the stored object) and nothing of theirs is written. ``state_of``
    is for states that cover more than the row (e.g. a person's notification preferences). No ``obj`` (a
    new object) or no ``expected`` token: nothing to compare, the save just runs in the transaction.
    """
    with transaction.atomic():
        if obj is not None and expected:
            current = lock(obj)
            if current is None or token(current, state_of) != expected:
                raise Stale(current=current)
        yield


def last_change(obj: models.Model):
    """The newest audit event of ``obj`` (who changed it, when), or None."""
    from .models import AuditEvent

    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )


# --- Forms -----------------------------------------------------------------------------------------------


class LockForm(forms.Form):
    """Put first among an edit form's bases: a hidden ``lock`` field with the token of the object shown.

    The object is the ModelForm's instance, or ``lock_of=`` for other forms. After validation the token is
    ``form.lock_token`` and ``lock`` is not in ``cleaned_data`` (views pass ``cleaned_data`` to services).
    """

    lock = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, lock_of: models.Model | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_token: str | None = None
        obj = lock_of if lock_of is not None else getattr(self, "instance", None)
        if obj is not None and obj.pk is not None:
            self.fields[LOCK_FIELD].initial = token(obj)

    def _clean_form(self):
        # After every clean() (whether or not a subclass's clean() calls this one's), before _post_clean().
        super()._clean_form()
        self.lock_token = self.cleaned_data.pop(LOCK_FIELD, "") or None


def refresh_token(form: forms.BaseForm, value: str, *, field_name: str = LOCK_FIELD) -> None:
    """Put ``value`` in the posted form's hidden token, so that saving the kept input again is deliberate."""
    data = form.data.copy()
    data[form.add_prefix(field_name)] = value
    form.data = data


# --- The conflict page -----------------------------------------------------------------------------------

_MISSING = object()


@dataclass
class ConflictRow:
    label: str
    theirs: str
    yours: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.yours


@dataclass
class Conflict:
    """What ``core/_conflict.html`` shows."""

    who: str
    at: datetime | None
    by_you: bool
    rows: list[ConflictRow] = field(default_factory=list)
    reload_url: str = ""
    deleted: bool = False


def _flat_choices(choices) -> dict[str, str]:
    flat = {}
    for key, label in choices:
        if isinstance(label, list | tuple):
            flat.update({str(k): str(v) for k, v in label})
        else:
            flat[str(key)] = str(label)
    return flat


def show(value: Any, form_field: forms.Field | None = None) -> str:
    """A value as a person reads it: choice labels, names of related objects, local dates, — for nothing."""
    if value is None or value == "" or value is _MISSING:
        return "—"
    if isinstance(value, models.Manager):
        value = list(value.all())
    if isinstance(value, models.QuerySet | list | tuple | set):
        parts = [show(item, form_field) for item in value]
        return ", ".join(sorted(parts)) if parts else "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, models.Model):
        return str(value)
    choices = getattr(form_field, "choices", None)
    if choices is not None and not isinstance(form_field, forms.ModelChoiceField):
        label = _flat_choices(choices).get(str(value))
        if label is not None:
            return label
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, date):
        return formats.date_format(value, "Y-m-d")
    if isinstance(value, Decimal | float | int):
        return formats.localize(value)
    return str(value)


def _stored(obj: models.Model, name: str) -> Any:
    try:
        model_field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return _MISSING
    if model_field.many_to_many:
        return list(getattr(obj, name).all())
    if not model_field.concrete or model_field.auto_created:
        return _MISSING
    return getattr(obj, name)


def rows_for(
    form: forms.BaseForm, current: models.Model | None, *, current_values: Mapping[str, Any] | None = None
) -> list[ConflictRow]:
    """Each visible field of ``form``: its label, what is stored now, what the user entered."""
    rows = []
    entered = getattr(form, "cleaned_data", {}) or {}
    for bound in form.visible_fields():
        name = bound.name
        if current_values is not None and name in current_values:
            theirs = current_values[name]
        elif current is not None:
            theirs = _stored(current, name)
        else:
            theirs = _MISSING
        if theirs is _MISSING:
            continue
        yours = entered.get(name, bound.value())
        if bound.field.disabled:
            continue
        rows.append(ConflictRow(str(bound.label), show(theirs, bound.field), show(yours, bound.field)))
    return rows


def conflict(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    form: forms.BaseForm,
    stale: Stale,
    current: models.Model | None = None,
    current_values: Mapping[str, Any] | None = None,
    extra_rows: Iterable[ConflictRow] = (),
    new_token: str | None = None,
    token_field: str = LOCK_FIELD,
    reload_url: str | None = None,
    compare: bool = True,
) -> HttpResponse:
    """The edit page again, answered 409: the user's input kept, the conflict explained above it.

    ``current`` is the object as stored now (default: the one ``stale`` carries); ``new_token`` the value the
    form's hidden ``token_field`` takes (default: ``token(current)``). ``compare=False`` leaves out the table
    of values (an action with no input of its own, e.g. publishing what was read).
    """
    current = current if current is not None else stale.current
    if current is not None:
        refresh_token(form, new_token if new_token is not None else token(current), field_name=token_field)
    change = last_change(current) if current is not None else None
    actor = change.actor if change is not None else None
    context = dict(context)
    context["form"] = context.get("form", form)
    context["conflict"] = Conflict(
        who=actor.display_name if actor is not None else "",
        at=change.at if change is not None else getattr(current, "updated_at", None),
        by_you=actor is not None and actor.pk == request.user.pk,
        rows=[*rows_for(form, current, current_values=current_values), *extra_rows] if compare else [],
        reload_url=reload_url or request.get_full_path(),
        deleted=current is None,
    )
    return render(request, template, context, status=409)
