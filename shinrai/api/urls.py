"""The JSON API under /api/v1/. Each app owns its router; this module only wires them."""

from django.http import Http404
from ninja import NinjaAPI

from shinrai.core.api import router as core_router

from .auth import api_auth

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


api.add_router("/", core_router)
