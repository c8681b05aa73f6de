"""The JSON API under /api/v1/. Each app owns its router; this module only wires them."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as InputError

from shinrai.accounts.api import router as accounts_router
from shinrai.accounts.trust_api import router as trust_router
from shinrai.core import locking
from shinrai.core.api import router as core_router
from shinrai.core.api_me import router as me_router
from shinrai.flows.api import router as flows_router
from shinrai.grayzone.api import router as grayzone_router
from shinrai.integrations.api import router as integrations_router
from shinrai.ledger.api import router as ledger_router
from shinrai.partnership.api import router as partnership_router
from shinrai.progress.api import router as progress_router
from shinrai.progress.report_api import router as report_router
from shinrai.requirements.api import router as requirements_router
from shinrai.surveys.api import router as surveys_router
from shinrai.surveys.results_api import router as survey_results_router
from shinrai.troubles.api import router as troubles_router

from . import openapi
from .auth import api_auth

# Unique component names in the OpenAPI document (see openapi.py); before the document is first built.
openapi.install()

api = NinjaAPI(
    title="Shinrai API",
    version="1.0.0",
    description="Shinrai JSON API. Authenticate with a personal token (`Authorization: Bearer shr_…`) "
    "created on your settings page, or with the browser session. Objects you may not see answer 404.",
    auth=api_auth,
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


# Bad input answers 422 with one shape, whether the schema or a service refused it:
# {"detail": [{"field": "criteria.0.threshold_high", "message": "…"}]}, field null for the whole object,
# messages in the request's language.


@api.exception_handler(ValidationError)
def invalid(request, exc):
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": None if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": None, "message": message} for message in exc.messages]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(locking.Stale)
def stale(request, exc):
    # A save from a stale copy (a version sent in the body that is no longer the stored one): 409, whatever
    # the endpoint; a stale If-Match answers 412 before the save runs (sync.if_match).
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)


@api.exception_handler(DataError)
def unstorable(request, exc):
    # Input the database cannot hold, e.g. a NUL character in text (PostgreSQL refuses it; SQLite does not).
    # The service's transaction has rolled back, so nothing was stored.
    message = _("The input contains characters that cannot be stored (such as a NUL character).")
    return api.create_response(request, {"detail": [{"field": None, "message": message}]}, status=422)


# Django's own messages, translated by Django's catalogue; the alias keeps them out of Shinrai's.
django_says = gettext


def _input_message(error: dict) -> str:
    """Pydantic's messages are English only; the common ones are said with Django's translated words."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return django_says("This field is required.")
    if kind in {"enum", "literal_error"}:
        # ninja drops the rejected input, so the message cannot repeat it.
        return django_says("Select a valid choice. That choice is not one of the available choices.")
    if kind in {"int_parsing", "int_type"}:
        return django_says("Enter a whole number.")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return django_says("This field cannot be blank.")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # raised by our own validators, already translated
    return error["msg"]


def _input_field(loc) -> str | None:
    # ("body", "payload", "criteria", 0, "operator") -> "criteria.0.operator"; ("body", "payload") -> None
    # (the body as a whole); ("query", "limit") -> "limit".
    parts = list(loc[2:] if loc and loc[0] == "body" else loc[1:])
    return ".".join(str(part) for part in parts) or None


@api.exception_handler(InputError)
def invalid_input(request, exc):
    errors = [{"field": _input_field(error["loc"]), "message": _input_message(error)} for error in exc.errors]
    return api.create_response(request, {"detail": errors}, status=422)


api.add_router("/", core_router)
api.add_router("/", me_router)
api.add_router("/", requirements_router)
api.add_router("/", progress_router)
api.add_router("/", report_router)
api.add_router("/", troubles_router)
api.add_router("/", ledger_router)
api.add_router("/", surveys_router)
api.add_router("/", survey_results_router)
api.add_router("/", accounts_router)
api.add_router("/", trust_router)
api.add_router("/", flows_router)
api.add_router("/", integrations_router)
api.add_router("/", grayzone_router)
api.add_router("/", partnership_router)
