"""Project webhooks: Slack, Microsoft Teams and signed generic JSON, with retries and a delivery log.

:func:`enqueue` runs once an action's transaction has committed (see ``events.emit``): it writes one
``WebhookDelivery`` per subscribed webhook, the exact JSON body built at that moment, and queues
``tasks.deliver_webhook`` when a worker exists (a web request never posts itself, see :func:`_queue`).
:func:`delivery_attempt` posts it once; a failure schedules the next try (1 min, 5 min, 30 min, 2 h, 6 h)
until :data:`MAX_ATTEMPTS`, after which the delivery has failed for good. ``shinrai deliver-webhooks`` (cron,
every minute) sends what is due: retries, and first attempts when there is no worker.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Event, Webhook, WebhookDelivery

PING = "ping"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 6
# Wait after the 1st, 2nd, ... failed attempt; the 6th failure is final.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
# A worker that claims a delivery pushes its next attempt this far out, so that a crash mid-attempt only
# delays it instead of losing it, and two workers never post the same attempt.
CLAIM_LEASE = timedelta(minutes=15)
USER_AGENT = "Shinrai-Webhooks/1"


# --- Payloads ----------------------------------------------------------------------------------------------


def event_label(event: str) -> str:
    if event == PING:
        return _("Test delivery")
    try:
        return str(Event(event).label)
    except ValueError:
        return event


def absolute_url(path: str) -> str:
    """A path inside Shinrai on the site's public address (``SHINRAI_SITE_URL``), as e-mails build links."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class Message:
    """What a delivery says, already in the webhook's language; each kind lays it out in its own JSON."""

    event: str
    project_id: int
    project_code: str
    project_name: str
    subject: str
    url: str
    facts: dict
    occurred_at: str


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn treats these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Fact:
    """How a chat message shows one fact: a translated label, and where a code's readable name comes from."""

    label: Promise | str
    choices_of: str = ""  # "app_label.Model.field": show the choice's label instead of its code


# The object's own id is not shown in chat messages: their link opens the object (generic JSON keeps it).
ID_FACTS = frozenset({"report", "change_request", "request", "trouble", "survey"})
FACTS: dict[str, Fact] = {
    "ref": Fact(gettext_lazy("No.")),
    "week_start": Fact(gettext_lazy("week starting (Monday)")),
    "version": Fact(gettext_lazy("Version")),
    "correction": Fact(gettext_lazy("Correction")),
    "cost_impact": Fact(gettext_lazy("Cost impact (JPY)")),
    "schedule_impact_days": Fact(gettext_lazy("Schedule impact (days)")),
    "options": Fact(gettext_lazy("Options")),
    "due_at": Fact(gettext_lazy("Due")),
    "severity": Fact(gettext_lazy("Severity"), "troubles.Trouble.severity"),
    "visibility": Fact(gettext_lazy("visible to"), "troubles.Trouble.visibility"),
    "invited": Fact(gettext_lazy("Invited")),
    "closes_at": Fact(gettext_lazy("Answers accepted until")),
    "sent_by": Fact(gettext_lazy("Sent by")),
}
# Keys whose meaning depends on the event.
EVENT_FACTS: dict[tuple[str, str], Fact] = {
    (Event.REPORT_PUBLISHED.value, "status"): Fact(gettext_lazy("Status"), "progress.WeeklyReport.status"),
    (Event.REQUEST_DUE.value, "status"): Fact(gettext_lazy("Status"), "ledger.CustomerRequest.status"),
    (Event.TROUBLE_DISCLOSED.value, "kind"): Fact(gettext_lazy("Kind"), "troubles.Trouble.kind"),
    (Event.SURVEY_INVITATION.value, "kind"): Fact(gettext_lazy("Kind"), "surveys.Survey.kind"),
}


def _choice_label(field_path: str, code) -> str:
    app_label, model_name, field_name = field_path.split(".")
    choices = dict(apps.get_model(app_label, model_name)._meta.get_field(field_name).flatchoices)
    return str(choices.get(code, code))


def _readable(key: str, value, fact: Fact | None) -> str:
    if fact is not None and fact.choices_of:
        return _choice_label(fact.choices_of, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and key.endswith("_at"):
        # Times travel as ISO 8601; people read them in the site's time zone, as e-mails show them.
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
            return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _fact_lines(event: str, facts: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for people to read, in the active language; ids and empty values are left out."""
    lines = []
    for key, value in facts.items():
        if value is None or value == "" or key in ID_FACTS:
            continue
        fact = EVENT_FACTS.get((event, key)) or FACTS.get(key)
        # A fact nobody gave a label yet still reads as words rather than as a code.
        label = capfirst(str(fact.label)) if fact else capfirst(str(key).replace("_", " "))
        lines.append((label, _readable(str(key), value, fact)))
    return lines


def body_slack(message: Message) -> dict:
    """Slack incoming-webhook JSON: ``text`` for notifications and old clients, ``blocks`` to show."""
    project = f"{message.project_name} ({message.project_code})"
    blocks: list[dict] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*<{message.url}|{_slack_escape(message.subject)}>*\n{_slack_escape(project)}",
            },
        }
    ]
    facts = _fact_lines(message.event, message.facts)
    if facts:
        blocks.append(
            {
                "type": "section",
                # Slack accepts at most 10 fields per section.
                "fields": [
                    {"type": "mrkdwn", "text": f"*{_slack_escape(key)}*\n{_slack_escape(value)}"}
                    for key, value in facts[:10]
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": _slack_escape(f"Shinrai · {event_label(message.event)}")}
            ],
        }
    )
    # ``text`` is mrkdwn too (notifications, old clients): escaped like the blocks, or a title could mention
    # @channel (``<!channel>``) or show a link of its own (``<https://…|label>``).
    fallback = _slack_escape(f"[{message.project_code}] {message.subject}")
    return {"text": f"{fallback} {message.url}", "blocks": blocks}


def body_teams(message: Message) -> dict:
    """An Adaptive Card in a message, as Teams Workflows ("When a Teams webhook request is received") take."""
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": f"{message.project_name} ({message.project_code})",
            "isSubtle": True,
            "wrap": True,
        },
        {"type": "TextBlock", "text": message.subject, "weight": "Bolder", "size": "Medium", "wrap": True},
    ]
    facts = _fact_lines(message.event, message.facts)
    if facts:
        body.append({"type": "FactSet", "facts": [{"title": key, "value": value} for key, value in facts]})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": _("Open in Shinrai"), "url": message.url}],
    }
    return {
        "type": "message",
        "summary": message.subject,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def body_json(message: Message) -> dict:
    """The generic JSON body; receivers check ``X-Shinrai-Signature`` before trusting it."""
    return {
        "event": message.event,
        "project": {"id": message.project_id, "code": message.project_code, "name": message.project_name},
        "occurred_at": message.occurred_at,
        "data": {"subject": message.subject, **message.facts},
        "url": message.url,
    }


BODY_BUILDERS = {Webhook.Kind.SLACK: body_slack, Webhook.Kind.TEAMS: body_teams, Webhook.Kind.JSON: body_json}


def build_payload(webhook: Webhook, *, event: str, subject, facts: dict, url: str, at: datetime) -> dict:
    """The exact JSON a webhook will receive, in the site's language (``settings.LANGUAGE_CODE``)."""
    project = webhook.project
    with translation.override(settings.LANGUAGE_CODE):
        message = Message(
            event=event,
            project_id=project.pk,
            project_code=project.code,
            project_name=project.name,
            subject=subject() if callable(subject) else str(subject),
            url=absolute_url(url),
            facts=dict(facts),
            occurred_at=at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        )
        return BODY_BUILDERS[webhook.kind](message)


def serialize(payload: dict) -> bytes:
    """The body as sent (and as signed): compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``"{timestamp}.{body}"`` with the webhook's secret."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# --- Queueing ----------------------------------------------------------------------------------------------


def sends_in_process() -> bool:
    """True when the task backend runs tasks inside the caller (``immediate``): no worker takes them."""
    from django_tasks.backends.immediate import ImmediateBackend

    from .tasks import deliver_webhook

    return isinstance(deliver_webhook.get_backend(), ImmediateBackend)


def _queue(delivery_ids: list[int]) -> None:
    """Hand new deliveries to a worker; without one, leave them due for ``shinrai deliver-webhooks``.

    An in-process backend would post inside the web request that caused the event, so a slow receiver would
    hold that request for up to TIMEOUT_SECONDS per webhook. The rows are already due (next_attempt_at=now),
    so the every-minute cron job sends them instead.
    """
    if sends_in_process():
        return

    from .tasks import deliver_webhook

    def send() -> None:
        for delivery_id in delivery_ids:
            deliver_webhook.enqueue(delivery_id=delivery_id)

    # Inside a transaction the rows become visible to a worker only after commit; outside, this runs now.
    transaction.on_commit(send)


def enqueue(occurrence) -> list[WebhookDelivery]:
    """Queue one delivery per active webhook of the occurrence's project that subscribed to its event."""
    if occurrence.project is None:
        return []
    now = timezone.now()
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(project=occurrence.project, active=True).select_related(
            "project"
        )
        if str(occurrence.event) in webhook.events
    ]
    deliveries = []
    for webhook in webhooks:
        payload = build_payload(
            webhook,
            event=str(occurrence.event),
            subject=lambda: occurrence.subject_in(settings.LANGUAGE_CODE),
            facts=occurrence.facts,
            url=occurrence.url,
            at=now,
        )
        deliveries.append(
            WebhookDelivery.objects.create(
                webhook=webhook, event=str(occurrence.event), payload=payload, next_attempt_at=now
            )
        )
    if deliveries:
        _queue([delivery.pk for delivery in deliveries])
    return deliveries


# --- Sending -----------------------------------------------------------------------------------------------


class Refused(Exception):
    """The URL may not be called (scheme, or an address inside the server's own network)."""


def address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def _allow_private() -> bool:
    return bool(getattr(settings, "SHINRAI_WEBHOOK_ALLOW_PRIVATE", False))


def url_problem(url: str, *, resolve: bool) -> str | None:
    """Why a webhook URL may not be called, or None. ``resolve=False`` checks literal addresses only."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return _("Enter a valid URL.")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return _("Only http and https addresses can receive webhooks.")
    if _allow_private():
        return None
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        return _("This address is inside the server's own network; webhooks cannot be sent there.")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        if not resolve:
            return None
        try:
            infos = socket.getaddrinfo(host, port)
        except (OSError, UnicodeError):
            return None  # the attempt reports the name error itself
        addresses = [info[4][0] for info in infos]
    if any(address_refused(address) for address in addresses):
        return _("This address is inside the server's own network; webhooks cannot be sent there.")
    return None


def _check_peer(sock) -> None:
    # Checked again on the connected socket: the name may resolve differently a moment later (DNS rebinding).
    if not _allow_private() and address_refused(sock.getpeername()[0]):
        sock.close()
        raise Refused(_("This address is inside the server's own network; webhooks cannot be sent there."))


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is answered as it is: an error, never followed


def _opener() -> urllib.request.OpenerDirector:
    # Direct connections only (proxies are handled by _post_through_proxy): the checks see the destination.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _GuardedHTTPHandler(), _GuardedHTTPSHandler(), _NoRedirects()
    )


def proxy_for(url: str) -> str | None:
    """The ``HTTPS_PROXY`` to post an https URL through, or None (no proxy, ``NO_PROXY`` match, plain http).

    Plain http never goes through a proxy: the proxy would resolve the name itself (so our address check
    would not cover the address it connects to), or, given the checked address, would send that as the
    ``Host`` header and break name-based receivers.
    """
    parts = urlsplit(url)
    if parts.scheme != "https":
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get("https")
    if not proxy or urllib.request.proxy_bypass_environment(parts.hostname, proxies):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _pinned_address(host: str, port: int) -> str:
    """Resolve once and check every address: the proxy is told to connect to this address, not the name."""
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        # IPv4 first: some proxies handle IPv6 CONNECT targets badly.
        addresses = sorted({info[4][0] for info in infos}, key=lambda address: (":" in address, address))
    if not _allow_private() and any(address_refused(address) for address in addresses):
        raise Refused(_("This address is inside the server's own network; webhooks cannot be sent there."))
    return addresses[0]


class _TunnelledHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS through a proxy's CONNECT tunnel to a checked address; TLS is verified against the URL's name."""

    def __init__(self, *args, server_hostname: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.server_hostname = server_hostname

    def connect(self):
        http.client.HTTPConnection.connect(self)  # TCP to the proxy, then CONNECT address:port
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_hostname)


def _post_through_proxy(request: urllib.request.Request, proxy: str) -> tuple[int | None, str]:
    """POST an https request through an http:// proxy, the proxy connecting to the address we checked.

    The usual ``CONNECT name:443`` would let the proxy resolve the name itself (a rebinding name could then
    reach an internal address); ``CONNECT address:443``, with the name kept for TLS (SNI and certificate
    check) and for the ``Host`` header, keeps the address check on the final target.
    """
    proxy_parts = urlsplit(proxy)
    if proxy_parts.scheme != "http" or not proxy_parts.hostname:
        return None, _("Only http:// proxies are supported for webhooks (HTTPS_PROXY).")
    target = urlsplit(request.full_url)
    port = target.port or 443
    # With the address check switched off there is nothing to pin: the proxy may resolve the name (useful
    # where only the proxy can resolve outside names).
    address = target.hostname if _allow_private() else _pinned_address(target.hostname, port)
    headers = {}
    if proxy_parts.username is not None:
        credentials = f"{unquote(proxy_parts.username)}:{unquote(proxy_parts.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode("ascii")
    connection = _TunnelledHTTPSConnection(
        proxy_parts.hostname,
        proxy_parts.port or 8080,
        timeout=TIMEOUT_SECONDS,
        context=ssl.create_default_context(),
        server_hostname=target.hostname,
    )
    connection.set_tunnel(address, port, headers=headers)
    if ":" in address:
        connection._tunnel_host = f"[{address}]"  # Python 3.11 writes an IPv6 CONNECT target without brackets
    path = target.path or "/"
    if target.query:
        path += "?" + target.query
    try:
        connection.request(
            "POST", path, body=request.data, headers={**dict(request.header_items()), "Host": target.netloc}
        )
        response = connection.getresponse()
        response.read(4096)
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, ""
    return response.status, f"HTTP {response.status} {response.reason}"


def request_for(delivery: WebhookDelivery, *, at: datetime) -> urllib.request.Request:
    webhook = delivery.webhook
    body = serialize(delivery.payload)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if webhook.kind == Webhook.Kind.JSON:
        timestamp = str(int(at.timestamp()))
        headers |= {
            "X-Shinrai-Event": delivery.event,
            "X-Shinrai-Delivery": str(delivery.pk),
            "X-Shinrai-Timestamp": timestamp,
            "X-Shinrai-Signature": signature(webhook.secret, timestamp, body),
        }
    # The scheme is checked (http/https only) by url_problem() before any request is opened.
    return urllib.request.Request(webhook.url, data=body, headers=headers, method="POST")  # noqa: S310


def _post(delivery: WebhookDelivery, *, at: datetime) -> tuple[int | None, str]:
    """POST once: (status code or None, error text; empty when delivered)."""
    problem = url_problem(delivery.webhook.url, resolve=True)
    if problem:
        return None, problem
    request = request_for(delivery, at=at)
    try:
        if proxy := proxy_for(request.full_url):
            return _post_through_proxy(request, proxy)
        with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(4096)
            return response.status, ""
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, f"HTTP {error.code} {error.reason}"
    except Refused as error:
        return None, str(error)
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, Refused):
            return None, str(reason)
        if isinstance(reason, TimeoutError):
            return None, _("No answer within %(n)d seconds.") % {"n": TIMEOUT_SECONDS}
        return None, str(reason)
    except TimeoutError:
        return None, _("No answer within %(n)d seconds.") % {"n": TIMEOUT_SECONDS}
    except (OSError, http.client.HTTPException, ValueError) as error:
        return None, str(error) or error.__class__.__name__


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take a due delivery for one attempt; False when it is not due or another worker has it."""
    return bool(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
        ).update(next_attempt_at=now + CLAIM_LEASE)
    )


def delivery_attempt(delivery_id: int) -> WebhookDelivery | None:
    """Post a due delivery once and record the outcome; None when it was not due (or is gone)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            code, error = _post(delivery, at=now)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong is logged as this attempt's failure
            code, error = None, f"{exc.__class__.__name__}: {exc}"
    delivery.attempts += 1
    delivery.last_status_code = code
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = (error or f"HTTP {code}")[:500]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery


def deliveries_due(now: datetime):
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")


def deliver_due(*, limit: int = 500) -> dict[str, int]:
    """Attempt every delivery whose time has come (the cron job); counts by outcome."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    for delivery_id in list(deliveries_due(timezone.now()).values_list("pk", flat=True)[:limit]):
        delivery = delivery_attempt(delivery_id)
        if delivery is None:
            continue
        if delivery.status == WebhookDelivery.Status.DELIVERED:
            counts["delivered"] += 1
        elif delivery.status == WebhookDelivery.Status.FAILED:
            counts["failed"] += 1
        else:
            counts["retrying"] += 1
    return counts
