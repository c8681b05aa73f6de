"""A slow receiver never holds up the web request that caused a delivery.

With the in-process ("immediate") task backend the request only writes the delivery, already due; the cron
job `shinrai deliver-webhooks` makes the attempt. With a worker backend the attempt is enqueued for it.
"""

# ruff: noqa: F811 (the receiver fixture is imported, then named as an argument)

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from shinrai.integrations import webhooks
from shinrai.integrations.models import Webhook, WebhookDelivery
from tests.clock import _english  # noqa: F401  (autouse: these tests read English messages)

from .test_webhooks_delivery import _in_site_language, _webhook, receiver  # noqa: F401 (a fixture)


def test_the_default_backend_runs_tasks_in_process():
    # What `make run` and the tests use (SHINRAI_TASK_BACKEND unset): hence the cron job below.
    assert webhooks.sends_in_process() is True


def test_the_request_does_not_post_to_a_slow_receiver(
    client, cast, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    receiver.script = ["sleep"]  # answers after 2 s: longer than the attempt's timeout below
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 1)
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    client.force_login(cast.users["vendor_pm"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrations:webhook_test", args=[cast.own.pk, webhook.pk]))

    assert response.status_code == 302
    # The request never opened a connection to the receiver; the delivery waits, due now.
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 0, "")
    assert delivery.next_attempt_at <= timezone.now()

    # The cron job is what waits on the receiver, and logs the timeout as a failed attempt.
    call_command("deliver-webhooks")
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == _in_site_language("No answer within %(n)d seconds.") % {"n": 1}


def test_the_api_answers_with_the_delivery_still_waiting(
    client, cast, receiver, django_capture_on_commit_callbacks
):
    receiver.script = ["sleep"]
    webhook = _webhook(cast, kind=Webhook.Kind.SLACK, url=receiver.url())
    client.force_login(cast.users["vendor_pm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/projects/{cast.own.pk}/webhooks/{webhook.pk}/ping")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    assert receiver.requests == []


@pytest.fixture
def worker_backend(settings):
    """A task backend with a worker elsewhere: enqueued tasks are kept, not run."""
    from django_tasks import default_task_backend

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    return default_task_backend


def test_with_a_worker_the_first_attempt_is_enqueued(
    client, cast, receiver, worker_backend, django_capture_on_commit_callbacks
):
    assert webhooks.sends_in_process() is False
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    client.force_login(cast.users["vendor_pm"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:webhook_test", args=[cast.own.pk, webhook.pk]))

    delivery = WebhookDelivery.objects.get(webhook=webhook)
    queued = [(result.task.name, result.kwargs) for result in worker_backend.results]
    assert queued == [("deliver_webhook", {"delivery_id": delivery.pk})]
    assert receiver.requests == []
