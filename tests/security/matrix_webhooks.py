"""Access expectations: webhooks (pages and API).

Vendor users of the project see the webhooks and their log; the PM and the vendor manager change them;
customers and partners get 404 everywhere. In the API, vendor members get 403 on writes.
"""

from __future__ import annotations

from shinrai.integrations.models import Webhook, WebhookDelivery

from .matrix import (
    CAN_EDIT,
    CAN_SEE_INTERNAL,
    PROJECT_TARGETS,
    Expect,
    api_write,
    page_post,
    project_kwargs,
    project_page,
)

_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}
# Nothing is posted during the matrix: on-commit work (the delivery task) does not run in these tests.
_URL = "https://hooks.slack.invalid/services/T0/B0/x"


def _webhook(cast, target):
    return Webhook.objects.create(
        project=getattr(cast, target),
        name="Slack #dev",
        kind=Webhook.Kind.JSON,
        url=_URL,
        secret="s" * 64,
        events=["trouble_disclosed"],
        created_by=cast.users[_AUTHOR[target]],
    )


def _page_kwargs(cast, target, user):
    webhook = _webhook(cast, target)
    return {"pk": webhook.project_id, "webhook_id": webhook.pk}


def _page_delivery_kwargs(cast, target, user):
    webhook = _webhook(cast, target)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="ping", payload={"event": "ping"}, status=WebhookDelivery.Status.FAILED
    )
    return {"pk": webhook.project_id, "webhook_id": webhook.pk, "delivery_id": delivery.pk}


def _api_kwargs(cast, target, user):
    kwargs = _page_kwargs(cast, target, user)
    return {"project_id": kwargs["pk"], "webhook_id": kwargs["webhook_id"]}


def _api_delivery_kwargs(cast, target, user):
    kwargs = _page_delivery_kwargs(cast, target, user)
    return {
        "project_id": kwargs["pk"],
        "webhook_id": kwargs["webhook_id"],
        "delivery_id": kwargs["delivery_id"],
    }


def _shown_once(role, target):
    """A new secret is shown on the answer page itself (200), never through a redirect."""
    if role == "anonymous":
        return 302
    return 200 if role in CAN_EDIT[target] else 404


_CREATE = {
    "name": "Teams 通知",
    "kind": "teams",
    "url": "https://example.webhook.office.com/webhookb2/x",
    "events": ["report_published", "trouble_disclosed"],
}

EXPECTATIONS: dict[str, Expect] = {
    "integrations:webhook_list": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "integrations:webhook_create": Expect(project_page(CAN_EDIT), project_kwargs(), PROJECT_TARGETS),
    "integrations:webhook_deliveries": Expect(project_page(CAN_SEE_INTERNAL), _page_kwargs, PROJECT_TARGETS),
    "integrations:webhook_edit": Expect(project_page(CAN_EDIT), _page_kwargs, PROJECT_TARGETS),
    "integrations:webhook_delete": Expect(page_post(CAN_EDIT), _page_kwargs, PROJECT_TARGETS, method="post"),
    "integrations:webhook_secret": Expect(_shown_once, _page_kwargs, PROJECT_TARGETS, method="post"),
    "integrations:webhook_test": Expect(page_post(CAN_EDIT), _page_kwargs, PROJECT_TARGETS, method="post"),
    "integrations:webhook_redeliver": Expect(
        page_post(CAN_EDIT), _page_delivery_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:list_webhooks": Expect(
        project_page(CAN_SEE_INTERNAL, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:create_webhook": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: _CREATE,
    ),
    "api:get_webhook": Expect(project_page(CAN_SEE_INTERNAL, anonymous=401), _api_kwargs, PROJECT_TARGETS),
    "api:update_webhook": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 200),
        _api_kwargs,
        PROJECT_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"active": False},
    ),
    "api:delete_webhook": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 204), _api_kwargs, PROJECT_TARGETS, method="delete"
    ),
    "api:regenerate_webhook_secret": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 200), _api_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:ping_webhook": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 201), _api_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:list_webhook_deliveries": Expect(
        project_page(CAN_SEE_INTERNAL, anonymous=401), _api_kwargs, PROJECT_TARGETS
    ),
    "api:redeliver_webhook_delivery": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 201), _api_delivery_kwargs, PROJECT_TARGETS, method="post"
    ),
}
