"""Threat: injection through what Shinrai sends out — e-mail headers and chat (Slack/Teams) messages built
from names and titles people typed (ASVS 5.0 V1.3.11 SMTP injection, V1.2.1 output encoding for the
receiving format).

- E-mail: every e-mail is plain text (no HTML part); its subject is built from project names and titles. A
  line break in one (possible through the API) made Django refuse the header, and the e-mail was lost
  without a trace: the sponsor was never told about the trouble. Subjects are now made one line.
- Slack: the mrkdwn of blocks was escaped, the ``text`` fallback was not, so a title could ping
  ``<!channel>`` or carry a link of its own. Every URL in a chat message is ours.

Not covered: Teams Adaptive Cards render Markdown links (``[label](https://…)``) in a title; they are not
escaped (Adaptive Cards have no documented escape) — see docs/SECURITY.md.
"""

from __future__ import annotations

import email
import email.policy
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shinrai.core.models import Project
from shinrai.integrations.models import Webhook, WebhookDelivery
from shinrai.ledger import services as ledger_services
from shinrai.troubles import services as trouble_services

from .markup import html_problems

HOSTILE = "<!channel> <https://evil.example/|Click here> <script>alert(1)</script>\r\nBcc: evil@example.com"


def _trouble(cast, *, title=HOSTILE, propose=True):
    pm = cast.users["vendor_pm"]
    trouble = trouble_services.trouble_create(
        by=pm,
        project=cast.own,
        kind="incident",
        title=title,
        facts=HOSTILE,
        detected_at=timezone.now() - timedelta(hours=2),
        severity="high",
    )
    trouble = trouble_services.trouble_disclose(
        by=pm, trouble=trouble, version=trouble.version, visibility="customer"
    )
    if propose:
        trouble_services.option_add(by=pm, trouble=trouble, description=HOSTILE)
        trouble.refresh_from_db()
        trouble_services.trouble_propose(by=pm, trouble=trouble, version=trouble.version)
    return trouble


def test_a_line_break_in_a_name_or_title_does_not_lose_the_email(
    cast, client, django_capture_on_commit_callbacks
):
    Project.objects.filter(pk=cast.own.pk).update(name=f"案件 {HOSTILE}")
    cast.own.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        _trouble(cast)  # the sponsor is told of the disclosure and asked to choose
        ledger_services.request_create(
            by=cast.users["customer_sponsor"],
            project=cast.own,
            title=HOSTILE,
            due_at=timezone.now() + timedelta(days=3),
        )  # the PM is told of the request
    subjects = {message.subject: message.to for message in mail.outbox}
    recipients = {address for message in mail.outbox for address in message.recipients()}
    assert recipients <= {"customer_sponsor@example.jp", "customer_member@example.jp", "vendor_pm@example.jp"}
    assert {"customer_sponsor@example.jp", "vendor_pm@example.jp"} <= recipients
    assert len(mail.outbox) >= 3, subjects
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "Bcc: evil@example.com" in message.subject  # kept, as text on the one line
        sent = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
        assert sent["Subject"].strip() == message.subject  # what a mail program reads back (folding undone)
        assert sent.get("Bcc") is None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert html_problems(content) == []


def test_the_email_task_makes_any_subject_one_line():
    from shinrai.core.tasks import send_email

    send_email.call(to=["a@example.jp"], subject="一行目\r\n二行目\nBcc: x@example.com\u2028end", body="本文")
    (message,) = mail.outbox
    assert message.subject == "一行目 二行目 Bcc: x@example.com end"
    assert message.recipients() == ["a@example.jp"]


def _deliveries(cast, django_capture_on_commit_callbacks) -> dict[str, dict]:
    for kind in Webhook.Kind.values:
        Webhook.objects.create(
            project=cast.own,
            name=kind,
            kind=kind,
            url=f"https://hooks.example.com/{kind}",
            secret="s" * 64,
            events=["trouble_disclosed"],
            created_by=cast.users["vendor_pm"],
        )
    with django_capture_on_commit_callbacks(execute=True):
        _trouble(cast, propose=False)
    return {
        delivery.webhook.kind: delivery.payload
        for delivery in WebhookDelivery.objects.select_related("webhook")
    }


def _mrkdwn_texts(payload: dict) -> list[str]:
    texts = [payload["text"]]
    for block in payload["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [field["text"] for field in block.get("fields", [])]
        texts += [element["text"] for element in block.get("elements", [])]
    return texts


def _urls(value) -> list[str]:
    if isinstance(value, dict):
        return [url for key, item in value.items() for url in (_urls(item) if key != "url" else [item])]
    if isinstance(value, list):
        return [url for item in value for url in _urls(item)]
    return []


def test_chat_messages_carry_titles_as_text(cast, django_capture_on_commit_callbacks):
    payloads = _deliveries(cast, django_capture_on_commit_callbacks)
    assert set(payloads) == set(Webhook.Kind.values)
    site = settings.SITE_URL.rstrip("/")
    own_link = f"<{site}/"
    for text in _mrkdwn_texts(payloads[Webhook.Kind.SLACK]):
        # The only control sequence allowed is our own link to the trouble: <site/…|label>.
        links = text.count(own_link)
        assert (text.count("<"), text.count(">")) == (links, links), text
    assert "&lt;!channel&gt;" in payloads[Webhook.Kind.SLACK]["text"]
    for kind, payload in payloads.items():
        assert all(url is None or url.startswith(site) for url in _urls(payload)), kind
    generic = payloads[Webhook.Kind.JSON]
    assert generic["data"]["subject"].endswith(HOSTILE)  # raw data: the receiver encodes it for its output
    assert json.loads(json.dumps(generic)) == generic


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "https://hooks.example.com/\r\nX-Injected: 1",
        "https://hooks.example.com/\x00",
    ],
)
def test_webhook_addresses_must_be_web_addresses(client, cast, url):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("api:create_webhook", args=[cast.own.pk]),
        {"name": "x", "kind": "json", "url": url, "events": ["trouble_disclosed"]},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500, response.content
    assert not Webhook.objects.exists()
