"""Threat: the same approval, acknowledgement or decision recorded twice — a double click, a retried request,
or two requests at the same moment (two tabs, a client retrying on a timeout) — leaving two decisions, two
ledger entries or a 500 where one was meant.

ASVS 5.0 V2.3.3/V2.3.4 (business logic: transactions are atomic and a flow's step cannot be repeated; locks
against double booking), V16.5 (errors handled: no 500 from a race).

Each decision the customer or vendor takes is sent twice through the API with the access matrix's own body:
the second answer records nothing (the database is unchanged). Then, on PostgreSQL (real row locks and
committed transactions), two threads send it at once: both answers are below 500, and the audit log and the
ledger hold one record of it.
"""

from __future__ import annotations

import os
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from shinrai.core.models import AuditEvent
from shinrai.ledger.models import Entry

from .routes import fingerprint
from .test_access_matrix import EXPECTATIONS

# (route, role): one decision each, by the role that takes it on the own project (a vendor-only trouble where
# the decision is to disclose it).
DECISIONS = [
    ("api:acknowledge_report", "customer_sponsor"),
    ("api:decide_change_request", "customer_sponsor"),
    ("api:choose_trouble_option", "customer_sponsor"),
    ("api:approve_requirements_review", "customer_sponsor"),
    ("api:acknowledge_customer_request", "vendor_pm"),
    ("api:close_customer_request", "vendor_pm"),
    ("api:propose_change_request", "vendor_pm"),
    ("api:publish_report", "vendor_pm"),
    ("api:disclose_trouble", "vendor_pm"),
    ("api:propose_trouble_options", "vendor_pm"),
]
# The same through the pages (form posts).
PAGE_DECISIONS = [
    ("reports:portal_acknowledge", "customer_sponsor"),
    ("ledger:portal_change_approve", "customer_sponsor"),
    ("ledger:portal_change_reject", "customer_sponsor"),
    ("requirements:portal_approve", "customer_sponsor"),
    ("ledger:request_acknowledge", "vendor_pm"),
    ("ledger:change_propose", "vendor_pm"),
    ("troubles:disclose", "vendor_pm"),
]


TARGET = {"api:disclose_trouble": "own_internal", "troubles:disclose": "own_internal"}


def _page_data(cast, name, kwargs) -> dict:
    """What the page form posts, where the matrix posts nothing."""
    if name == "requirements:portal_approve":
        return {"confirm": "yes"}
    if name == "troubles:disclose":
        from shinrai.troubles.models import Trouble

        return {"visibility": "customer", "version": Trouble.objects.get(pk=kwargs["trouble_id"]).version}
    return {}


def _prepare(cast, name, role):
    expect = EXPECTATIONS[name]
    user = cast.users[role]
    target = TARGET.get(name, "own")
    status_target = target if target in expect.targets else "own"  # the page's cells are per project
    assert expect.status(role, status_target) < 400, f"{name}: the matrix does not let {role} do it"
    kwargs = expect.kwargs(cast, target, user)
    url = reverse(name, kwargs=kwargs)
    data = expect.data(cast, target, user) if expect.data else _page_data(cast, name, kwargs)
    return expect, user, url, data


def _send(expect, user, url, data):
    client = Client()
    client.force_login(user)
    if not url.startswith("/api/"):
        return client.post(url, data)  # a page form
    return getattr(client, expect.method)(url, data, content_type="application/json")


@pytest.mark.parametrize(("name", "role"), DECISIONS + PAGE_DECISIONS)
def test_the_second_submission_records_nothing(cast, name, role):
    expect, user, url, data = _prepare(cast, name, role)
    before = fingerprint()
    first = _send(expect, user, url, data)
    assert first.status_code in {200, 201, 302}, f"{name}: {first.status_code}"
    after_first = fingerprint()
    assert after_first != before, f"{name}: the first submission did nothing"
    second = _send(expect, user, url, data)
    assert second.status_code < 500, f"{name}: {second.status_code}"
    assert fingerprint() == after_first, f"{name}: the second submission changed data"


def _new_records(audit_after: int, entries_after: int) -> tuple[Counter, Counter]:
    actions = Counter(AuditEvent.objects.filter(pk__gt=audit_after).values_list("action", flat=True))
    kinds = Counter(Entry.objects.filter(pk__gt=entries_after).values_list("project_id", "kind"))
    return actions, kinds


on_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="two writers at once need PostgreSQL's row locks (set DATABASE_URL=postgres://...)",
)


@pytest.mark.postgres
@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "role"), DECISIONS)
def test_two_submissions_at_once_record_one_decision(cast, name, role):
    assert connection.vendor == "postgresql"
    expect, user, url, data = _prepare(cast, name, role)
    audit_after = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    entries_after = Entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(2)
    answers, errors = [], []

    def submit(client):
        try:
            start.wait(timeout=10)
            answers.append(getattr(client, expect.method)(url, data, content_type="application/json"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    statuses = sorted(answer.status_code for answer in answers)
    assert len(statuses) == 2 and statuses[-1] < 500, statuses
    assert statuses[0] < 300, statuses  # one of them did it
    actions, kinds = _new_records(audit_after, entries_after)
    assert actions and max(actions.values()) == 1, actions  # each audited action once
    assert not kinds or max(kinds.values()) == 1, kinds  # at most one ledger entry of each kind
