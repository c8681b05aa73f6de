"""Webhooks end to end: an occurrence is emitted in a transaction, the task queue runs in-process, and a local
HTTP server records what arrives. Failures are logged and retried by `shinrai deliver-webhooks`."""

# ruff: noqa: F811 (the clock fixture is imported, then named as an argument)

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils.translation import gettext_lazy

from shinrai.integrations import events, webhooks
from shinrai.integrations.models import Event, Webhook, WebhookDelivery
from tests.clock import _english  # noqa: F401  (autouse: these tests read English messages)

from ..clock import clock  # noqa: F401 (a fixture)


class Receiver:
    """A local HTTP server that records every request and answers from a script (status codes or 'sleep')."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                answer = receiver.script.pop(0) if receiver.script else 200
                if answer == "sleep":
                    time.sleep(2)
                    answer = 200
                self.send_response(answer)
                if answer in (301, 302):
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (timeout test)
                    self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"].decode("utf-8"))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.SHINRAI_WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    server = Receiver()
    yield server
    server.close()


def _webhook(cast, *, kind, url, events=("trouble_disclosed",), active=True, project=None):
    return Webhook.objects.create(
        project=project or cast.own,
        name=f"{kind} hook",
        kind=kind,
        url=url,
        secret="k" * 64,
        events=list(events),
        active=active,
        created_by=cast.users["vendor_pm"],
    )


def _occurrence(cast, event=Event.TROUBLE_DISCLOSED):
    return events.Occurrence(
        event=event,
        project=cast.own,
        subject=gettext_lazy("Trouble disclosed: %(title)s"),
        params={"title": "本番サーバー停止"},
        url=f"/projects/{cast.own.pk}/troubles/7/",
        # As troubles.services.trouble_disclose words them.
        facts={
            "trouble": 7,
            "ref": "T-007",
            "kind": "incident",
            "severity": "high",
            "visibility": "customer",
        },
    )


def _emit(occurrence, capture):
    """Emit in a transaction, then make the first attempt as the cron job does (the tests' task backend is
    the in-process one, with which the request itself never posts: see test_webhooks_slow_receiver.py)."""
    with capture(execute=True), transaction.atomic():
        events.emit(occurrence, recipients=[])
    webhooks.deliver_due()


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_generic_json_is_posted_signed(cast, receiver, django_capture_on_commit_callbacks):
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    headers = request["headers"]
    assert headers["X-Shinrai-Event"] == "trouble_disclosed"
    assert headers["X-Shinrai-Delivery"] == str(delivery.pk)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    expected = hmac.new(
        b"k" * 64, headers["X-Shinrai-Timestamp"].encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    assert headers["X-Shinrai-Signature"] == f"sha256={expected}"
    body = receiver.json()
    assert body == {
        "event": "trouble_disclosed",
        "project": {"id": cast.own.pk, "code": "OWN-1", "name": "自社案件"},
        "occurred_at": body["occurred_at"],
        "data": {
            "subject": "Trouble disclosed: 本番サーバー停止",
            "trouble": 7,
            "ref": "T-007",
            "kind": "incident",
            "severity": "high",
            "visibility": "customer",
        },
        "url": f"{settings.SITE_URL.rstrip('/')}/projects/{cast.own.pk}/troubles/7/",
    }
    assert body["occurred_at"].endswith("Z")
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None


def test_a_tampered_body_does_not_verify(cast, receiver, django_capture_on_commit_callbacks):
    _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    tampered = request["body"].replace(b"high", b"low")
    digest = hmac.new(
        b"k" * 64, request["headers"]["X-Shinrai-Timestamp"].encode() + b"." + tampered, hashlib.sha256
    ).hexdigest()
    assert request["headers"]["X-Shinrai-Signature"] != f"sha256={digest}"


def test_slack_gets_text_and_blocks(cast, receiver, settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "en"  # messages are in the site's language; English to read the labels here
    _webhook(cast, kind=Webhook.Kind.SLACK, url=receiver.url("/slack"))
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)

    assert receiver.requests[0]["path"] == "/slack"
    assert "X-Shinrai-Signature" not in receiver.requests[0]["headers"]
    body = receiver.json()
    link = f"{settings.SITE_URL.rstrip('/')}/projects/{cast.own.pk}/troubles/7/"
    assert body["text"] == f"[OWN-1] Trouble disclosed: 本番サーバー停止 {link}"
    assert body["blocks"][0] == {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": f"*<{link}|Trouble disclosed: 本番サーバー停止>*\n自社案件 (OWN-1)",
        },
    }
    # Labels and values for people; the trouble's id is left to the link.
    assert body["blocks"][1]["fields"] == [
        {"type": "mrkdwn", "text": "*No.*\nT-007"},
        {"type": "mrkdwn", "text": "*Kind*\nIncident"},
        {"type": "mrkdwn", "text": "*Severity*\nHigh"},
        {"type": "mrkdwn", "text": "*Visible to*\nVendor and customer"},
    ]
    assert body["blocks"][2]["type"] == "context"


def test_teams_gets_an_adaptive_card(cast, receiver, settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "en"
    _webhook(cast, kind=Webhook.Kind.TEAMS, url=receiver.url("/teams"))
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)

    body = receiver.json()
    assert body["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][1]["text"] == "Trouble disclosed: 本番サーバー停止"
    assert card["body"][2] == {
        "type": "FactSet",
        "facts": [
            {"title": "No.", "value": "T-007"},
            {"title": "Kind", "value": "Incident"},
            {"title": "Severity", "value": "High"},
            {"title": "Visible to", "value": "Vendor and customer"},
        ],
    }
    assert card["actions"][0]["url"] == f"{settings.SITE_URL.rstrip('/')}/projects/{cast.own.pk}/troubles/7/"


def test_only_active_subscribed_webhooks_of_the_project_receive(
    cast, receiver, django_capture_on_commit_callbacks
):
    wanted = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url("/wanted"))
    _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url("/other-event"), events=["report_published"])
    _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url("/inactive"), active=False)
    _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url("/other-project"), project=cast.other)
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)

    assert [request["path"] for request in receiver.requests] == ["/wanted"]
    assert list(WebhookDelivery.objects.values_list("webhook_id", flat=True)) == [wanted.pk]


def test_a_rolled_back_action_posts_nothing(cast, receiver, django_capture_on_commit_callbacks):
    _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        events.emit(_occurrence(cast), recipients=[])
        raise RuntimeError("the action failed")
    webhooks.deliver_due()
    assert receiver.requests == []
    assert WebhookDelivery.objects.count() == 0


def test_failures_are_logged_and_retried_until_delivered(
    cast, receiver, clock, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 1)
    receiver.script = [500, "sleep", 200]
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    start = clock.at
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    assert delivery.next_attempt_at == start + timedelta(minutes=1)

    # Not due yet: the command leaves it alone.
    clock.set(2026, 11, 9, 10, 0, 30)
    call_command("deliver-webhooks")
    assert len(receiver.requests) == 1

    # Due: the second attempt times out.
    clock.set(2026, 11, 9, 10, 1)
    call_command("deliver-webhooks")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 2, None)
    assert delivery.last_error == _in_site_language("No answer within %(n)d seconds.") % {"n": 1}
    assert delivery.next_attempt_at == clock.at + timedelta(minutes=5)

    clock.set(2026, 11, 9, 10, 6)
    call_command("deliver-webhooks")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "delivered",
        3,
        200,
        "",
    )
    assert len(receiver.requests) == 3
    # Every attempt carries the same delivery id, so the receiver can drop duplicates.
    assert {request["headers"]["X-Shinrai-Delivery"] for request in receiver.requests} == {str(delivery.pk)}


def test_connection_refused_is_retried_by_the_command(
    cast, receiver, clock, django_capture_on_commit_callbacks
):
    webhook = _webhook(cast, kind=Webhook.Kind.SLACK, url=f"http://127.0.0.1:{_closed_port()}/hook")
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "refused" in delivery.last_error.lower()

    # The receiver comes up (here: the webhook is pointed at it) and the retry gets through.
    Webhook.objects.filter(pk=webhook.pk).update(url=receiver.url())
    clock.set(2026, 11, 9, 10, 1)
    call_command("deliver-webhooks")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert receiver.json()["text"].startswith("[OWN-1] ")


def test_after_six_failures_it_fails_for_good(cast, receiver, clock, django_capture_on_commit_callbacks):
    receiver.script = [503] * 7
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    waits = []
    for _attempt in range(5):
        waits.append(delivery.next_attempt_at - clock.at)
        clock.at = delivery.next_attempt_at
        call_command("deliver-webhooks")
        delivery.refresh_from_db()
    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=6),
    ]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    clock.at += timedelta(days=1)
    call_command("deliver-webhooks")
    assert len(receiver.requests) == 6


def test_redirects_are_not_followed(cast, receiver, django_capture_on_commit_callbacks):
    receiver.script = [302]
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert [request["path"] for request in receiver.requests] == ["/hook"]
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)


def test_private_addresses_are_refused(cast, receiver, settings, django_capture_on_commit_callbacks):
    settings.SHINRAI_WEBHOOK_ALLOW_PRIVATE = False
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert receiver.requests == []
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == _in_site_language(
        "This address is inside the server's own network; webhooks cannot be sent there."
    )


def test_the_connected_address_is_checked_again(
    cast, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # A name that looked public when checked but connects to a private address (DNS rebinding).
    settings.SHINRAI_WEBHOOK_ALLOW_PRIVATE = False
    monkeypatch.setattr(webhooks, "url_problem", lambda url, resolve: None)
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert receiver.requests == []
    assert delivery.last_error == _in_site_language(
        "This address is inside the server's own network; webhooks cannot be sent there."
    )


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://127.0.0.1/hook", True),
        ("http://localhost:8000/hook", True),
        ("http://10.1.2.3/hook", True),
        ("http://169.254.169.254/latest/meta-data/", True),
        ("http://[::1]/hook", True),
        ("http://[::ffff:192.168.0.1]/hook", True),
        ("http://0.0.0.0/hook", True),
        ("ftp://files.example.com/hook", True),
        ("file:///etc/passwd", True),
        ("https://93.184.215.14/hook", False),
        ("https://hooks.slack.com/services/T0/B0/x", False),
    ],
)
def test_url_check(settings, url, refused):
    settings.SHINRAI_WEBHOOK_ALLOW_PRIVATE = False
    assert (webhooks.url_problem(url, resolve=False) is not None) is refused


def test_the_command_reports_its_counts(cast, receiver, clock, django_capture_on_commit_callbacks, capsys):
    receiver.script = [500]
    _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    clock.set(2026, 11, 9, 10, 1)
    call_command("deliver-webhooks")
    assert capsys.readouterr().out.strip() == "delivered 1, retrying later 0, failed 0"


def test_the_due_task_sends_retries(cast, receiver, clock, django_capture_on_commit_callbacks):
    from shinrai.integrations.tasks import deliver_due_webhooks

    receiver.script = [500]
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    clock.set(2026, 11, 9, 10, 1)
    with django_capture_on_commit_callbacks(execute=True):
        deliver_due_webhooks.enqueue()
    assert WebhookDelivery.objects.get(webhook=webhook).status == "delivered"


def test_an_unexpected_error_is_logged_as_a_failed_attempt(
    cast, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(delivery, at):
        raise RuntimeError("broken")

    monkeypatch.setattr(webhooks, "_post", boom)
    webhook = _webhook(cast, kind=Webhook.Kind.JSON, url=receiver.url())
    _emit(_occurrence(cast), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "RuntimeError: broken")


@pytest.mark.parametrize("url", ["http://[::1/x", "http://example.com:99999/x", "https://exa mple.com/x"])
def test_malformed_urls_are_refused_by_the_api(client, cast, url):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        f"/api/v1/projects/{cast.own.pk}/webhooks",
        {"name": "x", "kind": "json", "url": url, "events": ["report_published"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["url"]
    assert Webhook.objects.count() == 0


def _in_site_language(message: str) -> str:
    """The delivery log is written in the site's language (settings.LANGUAGE_CODE), whoever reads it."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)
