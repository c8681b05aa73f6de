"""A project whose every stored text is hostile, and the list of pages to look at it through.

Objects are created through the services by the access matrix's own URL helpers (so every route gets an
object to show), then every free-text column of every Shinrai model is overwritten in the database with a
payload from :mod:`payloads`. Writing them raw (not through forms) is deliberate: output encoding must hold
whatever is stored, including what an import, the admin, the API or an older version let in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import get_resolver, reverse

from shinrai.core import calendar_feed
from shinrai.progress import report_services
from shinrai.progress.models import WeeklyReport

from .payloads import ALL_IN_ONE, CORPUS

# Columns that are not text a person typed: secrets and digests, hashes that the ledger checks, our own
# rendered SVG (its inputs are covered through the BPMN upload), ids and codes the code dispatches on.
NOT_FREE_TEXT = {
    "core.User.password",
    "core.ApiToken.prefix",
    "core.ApiToken.digest",
    "core.CalendarFeedToken.digest",
    "core.AuditEvent.action",
    "core.AuditEvent.object_type",
    "core.AuditEvent.object_id",
    "requirements.Baseline.content_hash",
    "ledger.Entry.prev_hash",
    "ledger.Entry.hash",
    "surveys.Question.code",
    "surveys.Invitation.language",
    "surveys.Invitation.token_digest",
    "flows.FlowVersion.sha256",
    "flows.FlowDiagram.svg",
    "flows.FlowStep.element_id",
    "flows.FlowStep.kind",
    "flows.StepRequirementLink.element_id",
    "flows.StepComment.element_id",
    "integrations.Webhook.secret",
    "integrations.WebhookDelivery.event",
    "integrations.ExternalRef.source",
    "integrations.ExternalRef.kind",
    "integrations.ImportRun.source",
}


def text_columns() -> Iterator[tuple[type[models.Model], list[models.Field]]]:
    for model in apps.get_models():
        if not model.__module__.startswith("shinrai."):
            continue
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and f"{model._meta.label}.{field.name}" not in NOT_FREE_TEXT
        ]
        if fields:
            yield model, fields


def _unique_field_names(model) -> set[str]:
    """Fields that are unique alone or together with others: their payloads get the row id appended."""
    names = {field.name for field in model._meta.concrete_fields if field.unique}
    names.update(name for together in model._meta.unique_together for name in together)
    names.update(name for constraint in model._meta.constraints for name in getattr(constraint, "fields", ()))
    return names


def poison_every_text_column(corpus: list[str] = CORPUS, long_text: str | None = ALL_IN_ONE) -> int:
    """Overwrite every free-text column of every row with a payload; returns the number of rows changed.

    Long text gets ``long_text`` (by default the whole corpus); short columns get one payload each, a
    different one per column and row (cut to the column's length, which makes unclosed tags too), with the
    row id appended where the column must be unique.
    """
    changed = 0
    counter = 0
    for model, fields in text_columns():
        unique = _unique_field_names(model)
        for pk in model._default_manager.values_list("pk", flat=True).order_by("pk"):
            values = {}
            for field in fields:
                counter += 1
                one = corpus[counter % len(corpus)]
                if field.max_length is None:
                    value = one if long_text is None else long_text
                else:
                    suffix = (
                        f" {pk}" if field.name in unique or model._meta.label == "core.Organization" else ""
                    )
                    value = one[: field.max_length - len(suffix)] + suffix
                    if field.name == "email":
                        value = f"{value[:60]}{pk}@example.jp"
                values[field.name] = value
            # A plain queryset: append-only models (ledger entries) refuse updates through their manager.
            models.QuerySet(model).filter(pk=pk).update(**values)
            changed += 1
    return changed


# Downloads that are not pages (PDF, Excel, CSV: test_formula_injection.py reads the spreadsheets) and the
# OpenAPI document (no stored data).
NOT_PAGES = re.compile(
    r"(^|[:_])(pdf|xlsx|csv)$|^requirements:export$|^progress:wbs_export$|^api:openapi-json$"
)


@dataclass(frozen=True)
class Visit:
    route: str
    role: str
    url: str


VENDOR_ROLES = ("vendor_pm", "vendor_manager", "vendor_admin", "vendor_member")
CUSTOMER_ROLES = ("customer_sponsor", "customer_member")
PARTNER_ROLES = ("partner_viewer",)


def _first_allowed(expect, target, roles) -> str | None:
    return next((role for role in roles if expect.status(role, target) == 200), None)


def kwargs_names(name: str) -> set[str]:
    """The URL parameters of the named route."""
    namespace, _sep, url_name = name.rpartition(":")
    resolver = get_resolver()
    for part in namespace.split(":") if namespace else []:
        resolver = resolver.namespace_dict[part][1]
    possibilities, _pattern, _defaults, _converters = resolver.reverse_dict.getlist(url_name)[0]
    _format, params = possibilities[0]
    return set(params)


@contextmanager
def _one_object_per_helper_call():
    """Let the matrix's helpers run many times in one test: each call of a helper gets its own object.

    In the matrix each cell is its own test; here every route is set up in one database, so a second weekly
    report for the same week would be refused and a second calendar secret would revoke the first.
    """
    create_draft = report_services.report_create_draft
    secrets: dict[int, str] = {}
    issue = calendar_feed.calendar_feed_token_issue

    def draft_in_a_free_week(*, week_start, project, **more):
        while WeeklyReport.objects.filter(project=project, week_start=week_start).exists():
            week_start -= timedelta(days=7)
        return create_draft(week_start=week_start, project=project, **more)

    def one_secret_per_person(*, user):
        if user.pk not in secrets:
            secrets[user.pk] = issue(user=user)
        return secrets[user.pk]

    report_services.report_create_draft = draft_in_a_free_week
    calendar_feed.calendar_feed_token_issue = one_secret_per_person
    try:
        yield
    finally:
        report_services.report_create_draft = create_draft
        calendar_feed.calendar_feed_token_issue = issue


def is_page(name: str) -> bool:
    return not NOT_PAGES.search(name)


def visits(cast, expectations, *, wanted: Callable[[str], bool] = is_page) -> list[Visit]:
    """One GET per ``wanted`` route, target on our own project and audience (vendor, customer, partner) that
    may see it.

    The objects are made by the matrix's helpers; a helper whose object exists once per project (a glossary
    term) is called once and its answer reused.
    """
    planned: list[Visit] = []
    made: dict[tuple, dict] = {}
    same_names: dict[frozenset, dict] = {}
    with _one_object_per_helper_call():
        for name, expect in expectations.items():
            if expect.method != "get" or name.startswith("admin:") or not wanted(name):
                continue
            for target in expect.targets:
                if target is not None and not str(target).startswith(("own", "shipped")):
                    continue
                for roles in (VENDOR_ROLES, CUSTOMER_ROLES, PARTNER_ROLES):
                    role = _first_allowed(expect, target, roles)
                    if role is None:
                        continue
                    kwargs = {}
                    if expect.kwargs:
                        key = (expect.kwargs, target)
                        try:
                            with transaction.atomic():
                                kwargs = expect.kwargs(cast, target, cast.users[role])
                        except (IntegrityError, ValidationError):
                            # A second object of a kind unique per project: reuse one made before.
                            kwargs = made.get(key) or same_names[frozenset(kwargs_names(name))]
                        made.setdefault(key, kwargs)
                        same_names[frozenset(kwargs)] = kwargs
                    planned.append(Visit(name, role, reverse(name, kwargs=kwargs)))
    return planned
