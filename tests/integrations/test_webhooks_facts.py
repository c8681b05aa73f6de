"""What Slack and Teams messages show for an event's facts: translated labels and readable values, in the
site's language; the generic JSON keeps the machine keys and values."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shinrai.integrations import webhooks
from shinrai.integrations.models import Event, Webhook
from tests.clock import _english  # noqa: F401  (autouse: these tests read English messages)

AT = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _webhook(cast, kind):
    return Webhook.objects.create(
        project=cast.own,
        name=f"{kind} hook",
        kind=kind,
        url="https://hooks.example.com/x",
        secret="k" * 64,
        events=[event.value for event in Event],
        created_by=cast.users["vendor_pm"],
    )


def _slack_fields(cast, event, facts) -> list[str]:
    payload = webhooks.build_payload(
        _webhook(cast, Webhook.Kind.SLACK), event=event, subject="s", facts=facts, url="/x/", at=AT
    )
    fields = [block for block in payload["blocks"] if "fields" in block]
    return [field["text"] for field in fields[0]["fields"]] if fields else []


def _teams_facts(cast, event, facts) -> list[tuple[str, str]]:
    payload = webhooks.build_payload(
        _webhook(cast, Webhook.Kind.TEAMS), event=event, subject="s", facts=facts, url="/x/", at=AT
    )
    body = payload["attachments"][0]["content"]["body"]
    fact_sets = [item for item in body if item["type"] == "FactSet"]
    return [(fact["title"], fact["value"]) for fact in fact_sets[0]["facts"]] if fact_sets else []


# The facts as each service emits them (report_services, ledger.services, notifications, surveys.services).
CASES = [
    (
        "report_published",
        {"report": 12, "week_start": "2026-11-02", "version": 2, "status": "amber", "correction": True},
        [
            ("Week starting (Monday)", "2026-11-02"),
            ("Version", "2"),
            ("Status", "Amber: at risk"),
            ("Correction", "Yes"),
        ],
    ),
    (
        "decision_needed",
        {"change_request": 4, "cost_impact": 1200000, "schedule_impact_days": -3},
        [("Cost impact (JPY)", "1,200,000"), ("Schedule impact (days)", "-3")],
    ),
    (
        "decision_needed",
        {"trouble": 7, "ref": "T-007", "options": 3},
        [("No.", "T-007"), ("Options", "3")],
    ),
    (
        "request_due",
        {"request": 5, "due_at": "2026-11-10T03:00:00+00:00", "status": "acknowledged"},
        [("Due", "2026-11-10 12:00"), ("Status", "Acknowledged")],
    ),
    (
        "survey_invitation",
        {"survey": 2, "kind": "post_delivery", "invited": 4, "closes_at": "2026-11-20T14:59:00+00:00"},
        [("Kind", "After delivery"), ("Invited", "4"), ("Answers accepted until", "2026-11-20 23:59")],
    ),
    ("ping", {"sent_by": "山田 太郎"}, [("Sent by", "山田 太郎")]),
]


@pytest.mark.parametrize(("event", "facts", "expected"), CASES)
def test_chat_messages_show_labels_and_readable_values(cast, settings, event, facts, expected):
    settings.LANGUAGE_CODE = "en"
    assert _teams_facts(cast, event, facts) == expected
    assert _slack_fields(cast, event, facts) == [f"*{label}*\n{value}" for label, value in expected]


def test_the_same_key_reads_by_its_event(cast, settings):
    settings.LANGUAGE_CODE = "en"
    assert _teams_facts(cast, "trouble_disclosed", {"kind": "incident"}) == [("Kind", "Incident")]
    assert _teams_facts(cast, "survey_invitation", {"kind": "pulse"}) == [
        ("Kind", "Pulse (during the project)")
    ]
    assert _teams_facts(cast, "request_due", {"status": "open"}) == [("Status", "Waiting for the vendor")]
    assert _teams_facts(cast, "report_published", {"status": "green"}) == [("Status", "Green: on track")]


def test_labels_are_in_the_site_language(cast):
    # LANGUAGE_CODE is "ja" by default: the channel reads Japanese whatever the sender's own language.
    facts = {
        "trouble": 7,
        "ref": "T-007",
        "kind": "incident",
        "severity": "critical",
        "visibility": "partners",
    }
    assert _teams_facts(cast, "trouble_disclosed", facts) == [
        ("番号", "T-007"),
        ("種別", "障害"),
        ("重大度", "重大"),
        ("公開範囲", "社内・お客様・協力会社"),
    ]


def test_unknown_facts_and_codes_still_read_as_words(cast, settings):
    settings.LANGUAGE_CODE = "en"
    facts = {"new_thing": "x", "severity": "unheard_of", "details": {"a": 1}, "empty": "", "none": None}
    assert _teams_facts(cast, "trouble_disclosed", facts) == [
        ("New thing", "x"),
        ("Severity", "unheard_of"),
        ("Details", '{"a": 1}'),
    ]


def test_only_ids_means_no_fact_section(cast, settings):
    settings.LANGUAGE_CODE = "en"
    assert _slack_fields(cast, "report_published", {"report": 12}) == []
    assert _teams_facts(cast, "report_published", {"report": 12}) == []


def test_generic_json_keeps_machine_keys_and_values(cast):
    facts = {"change_request": 4, "cost_impact": 1200000, "schedule_impact_days": -3}
    payload = webhooks.build_payload(
        _webhook(cast, Webhook.Kind.JSON), event="decision_needed", subject="s", facts=facts, url="/x/", at=AT
    )
    assert payload["data"] == {
        "subject": "s",
        "change_request": 4,
        "cost_impact": 1200000,
        "schedule_impact_days": -3,
    }
