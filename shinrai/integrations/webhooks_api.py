"""API: project webhooks and their delivery log (same conventions as shinrai/ledger/api.py).

Vendor users of the project read; the PM and the vendor manager change (403 for other vendor roles);
customers and partners get 404. The signing secret is returned only when it is made (create, new secret).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination
from shinrai.core import access
from shinrai.core.access import Perm

from . import webhook_selectors as sel
from . import webhook_services as services
from .models import Webhook

router = Router(tags=["webhooks"])


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class WebhookOut(Schema):
    id: int
    project: int
    name: str
    kind: str = Field(description="slack, teams or json")
    url: str
    events: list[str]
    active: bool
    created_at: datetime

    @staticmethod
    def resolve_project(obj) -> int:
        return obj.project_id


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="The signing secret, shown only in this answer")


class WebhookIn(_Input):
    name: str = Field(min_length=1, max_length=100)
    kind: Webhook.Kind
    url: str = Field(min_length=1, max_length=500, description="http or https only")
    events: list[str] = Field(min_length=1, description="report_published, decision_needed, …")
    active: bool = True


class WebhookPatch(_Input):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: Webhook.Kind | None = None
    url: str | None = Field(None, min_length=1, max_length=500)
    events: list[str] | None = Field(None, min_length=1)
    active: bool | None = None


class DeliveryOut(Schema):
    id: int
    webhook: int
    event: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any] = Field(description="The JSON body as posted")

    @staticmethod
    def resolve_webhook(obj) -> int:
        return obj.webhook_id


def _editable(request, project_id: int, webhook_id: int | None = None):
    user = request.auth
    project, role = sel.webhook_project_for(user, project_id)
    webhook = sel.webhook_for(project=project, pk=webhook_id) if webhook_id is not None else None
    if Perm.EDIT not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")
    return user, project, webhook


@router.get(
    "/projects/{int:project_id}/webhooks",
    response=list[WebhookOut],
    summary="The project's webhooks (vendor roles; the secret is never listed)",
)
@paginate(Pagination)
def list_webhooks(request, project_id: int):
    project, _role = sel.webhook_project_for(request.auth, project_id)
    return sel.webhooks_for(project=project)


@router.post(
    "/projects/{int:project_id}/webhooks",
    response={201: WebhookCreatedOut},
    summary="Add a webhook; the answer holds its signing secret, shown only here (PM and manager)",
)
def create_webhook(request, project_id: int, payload: WebhookIn):
    user, project, _webhook = _editable(request, project_id)
    data = payload.model_dump()
    data["kind"] = str(data["kind"])
    webhook = services.webhook_create(by=user, project=project, **data)
    return Status(201, webhook)


@router.get(
    "/projects/{int:project_id}/webhooks/{int:webhook_id}",
    response=WebhookOut,
    summary="One webhook (without its secret)",
)
def get_webhook(request, response: HttpResponse, project_id: int, webhook_id: int):
    """The ``ETag`` header names this state; send it back as ``If-Match`` when changing the webhook."""
    project, _role = sel.webhook_project_for(request.auth, project_id)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    sync.set_etag(response, webhook)
    return webhook


@router.patch(
    "/projects/{int:project_id}/webhooks/{int:webhook_id}",
    response=WebhookOut,
    summary="Change the fields sent (PM and manager; 403 for other vendor roles)",
)
def update_webhook(request, response: HttpResponse, project_id: int, webhook_id: int, payload: WebhookPatch):
    """412 when ``If-Match`` names an older state (someone changed it since it was read); nothing is saved."""
    user, project, webhook = _editable(request, project_id, webhook_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("kind") is not None:
        changes["kind"] = str(changes["kind"])
    with sync.if_match(request, webhook):
        services.webhook_update(by=user, webhook=webhook, **changes)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    sync.set_etag(response, webhook)
    return webhook


@router.delete(
    "/projects/{int:project_id}/webhooks/{int:webhook_id}",
    response={204: None},
    summary="Delete a webhook and its delivery log (PM and manager)",
)
def delete_webhook(request, project_id: int, webhook_id: int):
    user, _project, webhook = _editable(request, project_id, webhook_id)
    services.webhook_delete(by=user, webhook=webhook)
    return Status(204, None)


@router.post(
    "/projects/{int:project_id}/webhooks/{int:webhook_id}/secret",
    response=WebhookCreatedOut,
    summary="Replace the signing secret; the answer holds the new one, shown only here (PM and manager)",
)
def regenerate_webhook_secret(request, project_id: int, webhook_id: int):
    user, _project, webhook = _editable(request, project_id, webhook_id)
    webhook = services.webhook_secret_regenerate(by=user, webhook=webhook)
    return webhook


@router.post(
    "/projects/{int:project_id}/webhooks/{int:webhook_id}/ping",
    response={201: DeliveryOut},
    summary="Queue a test ('ping') delivery (PM and manager)",
)
def ping_webhook(request, project_id: int, webhook_id: int):
    user, _project, webhook = _editable(request, project_id, webhook_id)
    delivery = services.webhook_ping(by=user, webhook=webhook)
    delivery.refresh_from_db()
    return Status(201, delivery)


@router.get(
    "/projects/{int:project_id}/webhooks/{int:webhook_id}/deliveries",
    response=list[DeliveryOut],
    summary="The webhook's delivery log, newest first",
)
@paginate(Pagination)
def list_webhook_deliveries(request, project_id: int, webhook_id: int):
    project, _role = sel.webhook_project_for(request.auth, project_id)
    webhook = sel.webhook_for(project=project, pk=webhook_id)
    return sel.deliveries_for(webhook=webhook)


@router.post(
    "/projects/{int:project_id}/webhooks/{int:webhook_id}/deliveries/{int:delivery_id}/redeliver",
    response={201: DeliveryOut},
    summary="Send a logged delivery again, as a new delivery (PM and manager)",
)
def redeliver_webhook_delivery(request, project_id: int, webhook_id: int, delivery_id: int):
    user, _project, webhook = _editable(request, project_id, webhook_id)
    delivery = sel.delivery_for(webhook=webhook, pk=delivery_id)
    copy = services.delivery_redeliver(by=user, delivery=delivery)
    copy.refresh_from_db()
    return Status(201, copy)
