"""Webhook pages and API: who may do what, validation, the secret shown once, send a test, redeliver."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shinrai.core.models import AuditEvent
from shinrai.integrations.models import Webhook, WebhookDelivery

from ..clock import _english  # noqa: F401

SLACK_URL = "https://hooks.slack.com/services/T0/B0/abc"


def _form(**changes):
    return {
        "name": "Slack #project",
        "kind": "slack",
        "url": SLACK_URL,
        "events": ["report_published", "trouble_disclosed"],
        "active": "on",
    } | changes


def _webhook(cast, **fields):
    return Webhook.objects.create(
        **{
            "project": cast.own,
            "name": "JSON receiver",
            "kind": Webhook.Kind.JSON,
            "url": "https://receiver.example.com/shinrai",
            "secret": "f" * 64,
            "events": ["trouble_disclosed"],
            "created_by": cast.users["vendor_pm"],
        }
        | fields
    )


def test_pm_creates_a_webhook_and_sees_its_secret_once(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(reverse("integrations:webhook_create", args=[cast.own.pk]), _form())
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    assert (webhook.name, webhook.kind, webhook.url, webhook.events, webhook.active) == (
        "Slack #project",
        "slack",
        SLACK_URL,
        ["report_published", "trouble_disclosed"],
        True,
    )
    assert len(webhook.secret) == 64
    assert webhook.secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="webhook.create", object_id=str(webhook.pk)).count() == 1

    for url in (
        reverse("integrations:webhook_list", args=[cast.own.pk]),
        reverse("integrations:webhook_deliveries", args=[cast.own.pk, webhook.pk]),
        reverse("integrations:webhook_edit", args=[cast.own.pk, webhook.pk]),
        f"/api/v1/projects/{cast.own.pk}/webhooks",
        f"/api/v1/projects/{cast.own.pk}/webhooks/{webhook.pk}",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert webhook.secret not in page.content.decode(), url
        assert "secret" not in page.content.decode().lower() or "api" not in url, url


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"url": "ftp://example.com/x"}, "url", "Enter a valid URL."),
        ({"url": "http://127.0.0.1:8000/x"}, "url", "inside the server"),
        ({"url": "http://localhost/x"}, "url", "inside the server"),
        ({"events": []}, "events", "This field is required."),
        ({"name": ""}, "name", "This field is required."),
        ({"kind": "discord"}, "kind", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message(client, cast, changes, field, message):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(reverse("integrations:webhook_create", args=[cast.own.pk]), _form(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Webhook.objects.count() == 0


def test_vendor_member_reads_but_does_not_change(client, cast):
    webhook = _webhook(cast)
    client.force_login(cast.users["vendor_member"])
    page = client.get(reverse("integrations:webhook_list", args=[cast.own.pk])).content.decode()
    assert "JSON receiver" in page
    assert reverse("integrations:webhook_create", args=[cast.own.pk]) not in page
    log = client.get(reverse("integrations:webhook_deliveries", args=[cast.own.pk, webhook.pk]))
    assert log.status_code == 200
    assert reverse("integrations:webhook_test", args=[cast.own.pk, webhook.pk]) not in log.content.decode()
    assert client.post(reverse("integrations:webhook_create", args=[cast.own.pk]), _form()).status_code == 404
    api = client.post(f"/api/v1/projects/{cast.own.pk}/webhooks", _form(), content_type="application/json")
    assert api.status_code == 403
    assert Webhook.objects.count() == 1


def test_project_home_links_webhooks_for_pm_only(client, cast):
    url = reverse("integrations:webhook_list", args=[cast.own.pk])
    client.force_login(cast.users["vendor_pm"])
    assert url in client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()
    client.force_login(cast.users["vendor_member"])
    assert url not in client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()


def test_edit_keeps_the_secret_and_audits_the_change(client, cast):
    webhook = _webhook(cast)
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("integrations:webhook_edit", args=[cast.own.pk, webhook.pk]),
        _form(
            name="新しい名前", kind="json", url="https://receiver.example.com/v2", events=["decision_needed"]
        ),
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.events, webhook.secret) == (
        "新しい名前",
        "https://receiver.example.com/v2",
        ["decision_needed"],
        "f" * 64,
    )
    audit = AuditEvent.objects.get(action="webhook.update")
    assert audit.before == {
        "name": "JSON receiver",
        "url": "https://receiver.example.com/shinrai",
        "events": "trouble_disclosed",
    }
    assert audit.after["events"] == "decision_needed"


def test_new_secret_replaces_the_old_one(client, cast):
    webhook = _webhook(cast)
    client.force_login(cast.users["vendor_pm"])
    response = client.post(reverse("integrations:webhook_secret", args=[cast.own.pk, webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.secret != "f" * 64
    assert webhook.secret in response.content.decode()


def test_delete_removes_the_webhook_and_its_log(client, cast):
    webhook = _webhook(cast)
    WebhookDelivery.objects.create(webhook=webhook, event="ping", payload={})
    client.force_login(cast.users["vendor_manager"])
    response = client.post(reverse("integrations:webhook_delete", args=[cast.own.pk, webhook.pk]))
    assert response.status_code == 302
    assert (Webhook.objects.count(), WebhookDelivery.objects.count()) == (0, 0)


def test_a_webhook_of_another_project_is_not_found(client, cast):
    webhook = _webhook(cast, project=cast.other, created_by=cast.users["vendor_manager"])
    client.force_login(cast.users["vendor_pm"])
    # vendor_pm may edit "own" but the webhook belongs to "other": 404, and nothing changes.
    assert (
        client.post(reverse("integrations:webhook_delete", args=[cast.own.pk, webhook.pk])).status_code == 404
    )
    assert client.get(f"/api/v1/projects/{cast.own.pk}/webhooks/{webhook.pk}").status_code == 404
    assert Webhook.objects.count() == 1


def test_send_a_test_queues_a_ping(client, cast, settings, monkeypatch, django_capture_on_commit_callbacks):
    from shinrai.integrations import webhooks

    posted = []
    monkeypatch.setattr(webhooks, "_post", lambda delivery, at: posted.append(delivery.payload) or (204, ""))
    webhook = _webhook(cast)
    client.force_login(cast.users["vendor_pm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrations:webhook_test", args=[cast.own.pk, webhook.pk]))
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    # Queued only: with the in-process task backend the cron job makes the attempt, not the request.
    assert (delivery.event, delivery.status, delivery.attempts, posted) == ("ping", "pending", 0, [])
    webhooks.deliver_due()
    delivery.refresh_from_db()
    assert (delivery.event, delivery.status, delivery.last_status_code) == ("ping", "delivered", 204)
    assert posted[0]["event"] == "ping"
    assert posted[0]["url"] == f"{settings.SITE_URL.rstrip('/')}/projects/{cast.own.pk}/"
    log = client.get(
        reverse("integrations:webhook_deliveries", args=[cast.own.pk, webhook.pk])
    ).content.decode()
    assert "&quot;event&quot;: &quot;ping&quot;" in log  # the payload, pretty-printed


def test_redeliver_sends_the_same_body_as_a_new_delivery(
    client, cast, monkeypatch, django_capture_on_commit_callbacks
):
    from shinrai.integrations import webhooks

    posted = []
    monkeypatch.setattr(webhooks, "_post", lambda delivery, at: posted.append(delivery.pk) or (200, ""))
    webhook = _webhook(cast)
    failed = WebhookDelivery.objects.create(
        webhook=webhook,
        event="trouble_disclosed",
        payload={"event": "trouble_disclosed"},
        status="failed",
        attempts=6,
    )
    client.force_login(cast.users["vendor_pm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/projects/{cast.own.pk}/webhooks/{webhook.pk}/deliveries/{failed.pk}/redeliver"
        )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    webhooks.deliver_due()
    copy = WebhookDelivery.objects.exclude(pk=failed.pk).get()
    assert posted == [copy.pk]
    assert (copy.payload, copy.event, copy.status, copy.attempts) == (
        failed.payload,
        "trouble_disclosed",
        "delivered",
        1,
    )
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 6)


def test_api_create_returns_the_secret_once_and_validates(client, cast):
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/projects/{cast.own.pk}/webhooks"
    created = client.post(url, _form(kind="json"), content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    webhook = Webhook.objects.get()
    assert body["secret"] == webhook.secret
    assert body["events"] == ["report_published", "trouble_disclosed"]
    listed = client.get(url).json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]

    bad = client.post(url, _form(url="http://10.0.0.5/x", events=["nope"]), content_type="application/json")
    assert bad.status_code == 422
    fields = {error["field"] for error in bad.json()["detail"]}
    assert fields == {"url", "events"}
    assert Webhook.objects.count() == 1


def test_api_update_and_deliveries(client, cast):
    webhook = _webhook(cast)
    WebhookDelivery.objects.create(webhook=webhook, event="ping", payload={"event": "ping"}, last_error="x")
    client.force_login(cast.users["vendor_pm"])
    base = f"/api/v1/projects/{cast.own.pk}/webhooks/{webhook.pk}"
    patched = client.patch(base, {"active": False}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["active"] is False and "secret" not in patched.json()
    deliveries = client.get(f"{base}/deliveries").json()
    assert deliveries["count"] == 1
    item = deliveries["items"][0]
    assert (item["webhook"], item["event"], item["status"], item["payload"]) == (
        webhook.pk,
        "ping",
        "pending",
        {"event": "ping"},
    )
    assert json.dumps(deliveries).count("f" * 64) == 0
