"""The trouble lifecycle, its rules and its audit trail; time to disclose; optimistic locking."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shinrai.core.models import AuditEvent, Visibility
from shinrai.ledger.chain import verify_project
from shinrai.ledger.models import Entry
from shinrai.troubles import services
from shinrai.troubles.models import Decision, Trouble

from .conftest import at, disclose, make_trouble, proposed

pytestmark = pytest.mark.django_db


def _actions(trouble):
    return list(
        AuditEvent.objects.filter(object_type="troubles.trouble", object_id=str(trouble.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def test_the_whole_lifecycle_from_incident_to_post_mortem(cast, clock):
    pm, sponsor = cast.users["vendor_pm"], cast.users["customer_sponsor"]
    clock.set(2026, 11, 20, 10, 0)
    trouble = make_trouble(cast)
    assert (trouble.status, trouble.visibility, trouble.ref, trouble.version) == (
        "open",
        "internal",
        "T-001",
        1,
    )

    clock.set(2026, 11, 20, 15, 30)
    disclose(cast, trouble)
    assert trouble.visibility == Visibility.CUSTOMER
    assert trouble.disclosed_at == at(2026, 11, 20, 15, 30)
    assert trouble.hours_to_disclose == 6.5  # 09:00 → 15:30

    options = proposed(cast, trouble)
    assert [o.label for o in options] == ["A", "B", "C"]
    assert trouble.status == "options_proposed"

    clock.set(2026, 11, 21, 11, 0)
    decision = services.trouble_decide(
        by=sponsor, trouble=trouble, option=options[1], rationale="再発を防ぎたい", version=trouble.version
    )
    trouble.refresh_from_db()
    assert trouble.status == "decided"
    assert (decision.how, decision.decided_by, decision.decided_by_name) == (
        "portal",
        sponsor,
        "customer_sponsor",
    )
    entry = Entry.objects.get(pk=decision.ledger_entry_id)
    assert entry.kind == "decision" and entry.project == cast.own and entry.actor == sponsor
    assert entry.payload["option"] == "B"
    assert entry.payload["cost_jpy"] == 800_000
    assert entry.payload["rationale"] == "再発を防ぎたい"
    assert verify_project(cast.own).ok

    follow_up = services.followup_add(by=pm, trouble=trouble, action="監視を追加する", owner=pm)
    assert trouble.status == "follow_up"
    with pytest.raises(ValidationError, match="Finish every follow-up"):
        services.trouble_close(
            by=pm,
            trouble=trouble,
            version=trouble.version,
            root_cause="x",
            whys=[],
            preventions=[{"measure": "y"}],
        )
    services.followup_done(by=pm, follow_up=follow_up)
    services.trouble_close(
        by=pm,
        trouble=trouble,
        version=trouble.version,
        root_cause="リトライ設計がなかった",
        whys=["バッチが止まった", "DB接続が切れた", "再接続しない作りだった", ""],
        preventions=[{"measure": "再接続を標準部品にする", "owner": pm, "due": None}, {"measure": ""}],
    )
    trouble.refresh_from_db()
    assert trouble.status == "closed" and trouble.closed_at is not None
    assert trouble.root_cause.whys == ["バッチが止まった", "DB接続が切れた", "再接続しない作りだった"]
    assert [p.measure for p in trouble.preventions.all()] == ["再接続を標準部品にする"]
    assert _actions(trouble) == [
        "trouble.create",
        "trouble.disclose",
        "trouble.status",
        "trouble.option",
        "trouble.option",
        "trouble.option",
        "trouble.propose",
        "trouble.decide",
        "trouble.follow_up",
        "trouble.follow_up_done",
        "trouble.close",
    ]
    disclose_event = AuditEvent.objects.get(action="trouble.disclose", object_id=str(trouble.pk))
    assert disclose_event.after["hours_to_disclose"] == 6.5


def test_a_closed_trouble_cannot_be_changed(cast, clock):
    trouble = make_trouble(cast)
    Trouble.objects.filter(pk=trouble.pk).update(status="closed")
    trouble.refresh_from_db()
    with pytest.raises(ValidationError, match="closed trouble"):
        services.trouble_update(
            by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version, title="x"
        )


def test_options_are_proposed_only_when_disclosed_and_present(cast):
    pm = cast.users["vendor_pm"]
    trouble = make_trouble(cast)
    services.option_add(by=pm, trouble=trouble, description="再実行")
    with pytest.raises(ValidationError, match="Disclose the trouble"):
        services.trouble_propose(by=pm, trouble=trouble, version=trouble.version)
    bare = make_trouble(cast, title="別件")
    disclose(cast, bare)
    with pytest.raises(ValidationError, match="at least one option"):
        services.trouble_propose(by=pm, trouble=bare, version=bare.version)


def test_only_the_sponsor_chooses_and_only_an_option_of_this_trouble(cast):
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    with pytest.raises(PermissionError):
        services.trouble_decide(
            by=cast.users["customer_member"], trouble=trouble, option=options[0], rationale="x"
        )
    with pytest.raises(PermissionError):
        services.trouble_decide(
            by=cast.users["partner_viewer"], trouble=trouble, option=options[0], rationale="x"
        )
    other = make_trouble(cast, title="別件")
    other_options = proposed(cast, other, options=1)
    with pytest.raises(ValidationError, match="options of this trouble"):
        services.trouble_decide(
            by=cast.users["customer_sponsor"], trouble=trouble, option=other_options[0], rationale="x"
        )
    with pytest.raises(ValidationError, match="why this option"):
        services.trouble_decide(
            by=cast.users["customer_sponsor"], trouble=trouble, option=options[0], rationale=" "
        )
    assert not Decision.objects.filter(trouble=trouble).exists()
    assert not Entry.objects.filter(kind="decision").exists()


def test_a_decision_cannot_be_made_twice(cast):
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    sponsor = cast.users["customer_sponsor"]
    services.trouble_decide(by=sponsor, trouble=trouble, option=options[0], rationale="早く戻したい")
    with pytest.raises(ValidationError, match="not waiting for a decision"):
        services.trouble_decide(by=sponsor, trouble=trouble, option=options[1], rationale="やはり改修")
    assert Entry.objects.filter(kind="decision").count() == 1


def test_a_meeting_decision_records_who_and_when(cast, clock):
    clock.set(2026, 11, 21, 18, 0)
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    pm = cast.users["vendor_pm"]
    with pytest.raises(ValidationError) as refused:
        services.trouble_decide(
            by=pm, trouble=trouble, option=options[2], rationale="費用優先", how="meeting"
        )
    assert set(refused.value.error_dict) == {"decided_by_name", "meeting_at"}
    with pytest.raises(PermissionError):  # a vendor PM cannot "choose in the portal" for the customer
        services.trouble_decide(by=pm, trouble=trouble, option=options[2], rationale="費用優先")
    decision = services.trouble_decide(
        by=pm,
        trouble=trouble,
        option=options[2],
        rationale="費用優先",
        how="meeting",
        decided_by_name="山田部長",
        attendees="山田部長、佐藤（PM）",
        meeting_at=at(2026, 11, 21, 14, 0),
    )
    assert (decision.decided_by, decision.recorded_by, decision.decided_by_name) == (None, pm, "山田部長")
    entry = Entry.objects.get(pk=decision.ledger_entry_id)
    assert entry.payload["how"] == "meeting"
    assert entry.payload["decided_by"] == "山田部長"
    assert entry.payload["meeting_at"].startswith("2026-11-21T14:00")


def test_a_risk_becomes_an_issue_on_the_same_row(cast, clock):
    clock.set(2026, 11, 22, 9, 0)
    risk = make_trouble(cast, kind="risk", probability="medium", title="性能不足のおそれ")
    note = services.note_add(by=cast.users["vendor_member"], trouble=risk, body="負荷試験で兆候あり")
    services.trouble_update(by=cast.users["vendor_pm"], trouble=risk, version=risk.version, kind="issue")
    risk.refresh_from_db()
    assert (risk.kind, risk.probability, risk.became_issue_at) == ("issue", "", at(2026, 11, 22, 9, 0))
    assert list(risk.internal_notes.all()) == [note]
    event = AuditEvent.objects.get(action="trouble.escalate", object_id=str(risk.pk))
    assert (event.before["kind"], event.after["kind"]) == ("risk", "issue")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"facts": ""}, "facts"),
        ({"cost_impact": Decimal("-1")}, "cost_impact"),
        ({"kind": "issue", "probability": "high"}, "probability"),
    ],
)
def test_bad_input_is_refused_with_a_message(cast, fields, field):
    with pytest.raises(ValidationError) as refused:
        make_trouble(cast, **fields)
    assert field in refused.value.error_dict
    assert not Trouble.objects.exists()


def test_a_trouble_cannot_be_detected_in_the_future_nor_disclosed_before(cast, clock):
    clock.set(2026, 11, 20, 8, 0)
    with pytest.raises(ValidationError, match="future"):
        make_trouble(cast, detected=at(2026, 11, 20, 9, 0))
    trouble = make_trouble(cast, detected=at(2026, 11, 20, 7, 0))
    with pytest.raises(ValidationError, match="before it was detected"):
        services.trouble_disclose(
            by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version, at=at(2026, 11, 20, 6, 0)
        )


# --- Time to disclose --------------------------------------------------------------------------------


def test_time_to_disclose_and_the_target_per_severity(cast, clock):
    clock.set(2026, 11, 21, 12, 0)
    high = make_trouble(cast, severity="high", detected=at(2026, 11, 20, 10, 0))
    low = make_trouble(cast, severity="low", detected=at(2026, 11, 20, 10, 0), title="軽微")
    critical = make_trouble(cast, severity="critical", detected=at(2026, 11, 21, 8, 15), title="全面停止")
    # high: 24 h → due 11/21 10:00; low: 168 h → due 11/27 10:00; critical: 4 h → due 11/21 12:15.
    assert high.disclosure_due_at == at(2026, 11, 21, 10, 0)
    assert low.disclosure_due_at == at(2026, 11, 27, 10, 0)
    assert high.disclosure_overdue(at(2026, 11, 21, 10, 1))
    assert not high.disclosure_overdue(at(2026, 11, 21, 9, 59))
    assert not low.disclosure_overdue(at(2026, 11, 21, 12, 0))
    assert not critical.disclosure_overdue(at(2026, 11, 21, 12, 0))
    services.trouble_disclose(
        by=cast.users["vendor_pm"], trouble=high, version=high.version, at=at(2026, 11, 21, 11, 45)
    )
    assert high.hours_to_disclose == 25.8  # 25 h 45 min = 25.75 h → 25.8
    assert high.disclosed_late and not high.disclosure_overdue(at(2026, 11, 22, 0, 0))
    services.trouble_disclose(by=cast.users["vendor_pm"], trouble=critical, version=critical.version)
    assert critical.hours_to_disclose == 3.8  # 08:15 → 12:00 = 3.75 h
    assert not critical.disclosed_late


def test_disclosure_time_is_kept_when_sharing_more_widely(cast, clock):
    clock.set(2026, 11, 20, 12, 0)
    trouble = make_trouble(cast)
    disclose(cast, trouble)
    clock.set(2026, 11, 20, 18, 0)
    disclose(cast, trouble, visibility=Visibility.PARTNERS)
    trouble.refresh_from_db()
    assert trouble.disclosed_at == at(2026, 11, 20, 12, 0)
    assert trouble.visibility == Visibility.PARTNERS


# --- Optimistic locking ------------------------------------------------------------------------------------


def test_a_stale_edit_is_refused_and_does_not_overwrite(cast):
    trouble = make_trouble(cast)
    first = Trouble.objects.get(pk=trouble.pk)  # two people open the edit page: both see version 1
    second = Trouble.objects.get(pk=trouble.pk)
    services.trouble_update(
        by=cast.users["vendor_pm"], trouble=first, version=1, title="夜間バッチ停止（原因判明）"
    )
    with pytest.raises(services.StaleEdit, match="Someone else changed this trouble"):
        services.trouble_update(by=cast.users["vendor_member"], trouble=second, version=1, severity="low")
    stored = Trouble.objects.get(pk=trouble.pk)
    assert (stored.title, stored.severity, stored.version) == ("夜間バッチ停止（原因判明）", "high", 2)
    assert _actions(trouble).count("trouble.update") == 1


def test_the_conditional_update_catches_a_write_between_read_and_save(cast):
    """Even when the check on the loaded row passes, a write that lands in between is not overwritten."""
    trouble = make_trouble(cast)
    loaded = Trouble.objects.get(pk=trouble.pk)
    Trouble.objects.filter(pk=trouble.pk).update(title="他の人の変更", version=2)  # the other editor's save
    with pytest.raises(services.StaleEdit):
        services.trouble_update(by=cast.users["vendor_pm"], trouble=loaded, version=1, title="私の変更")
    assert Trouble.objects.get(pk=trouble.pk).title == "他の人の変更"


def test_a_stale_status_change_is_refused(cast):
    trouble = make_trouble(cast)
    disclose(cast, trouble)  # version 2
    with pytest.raises(services.StaleEdit):
        services.trouble_start_analysis(by=cast.users["vendor_pm"], trouble=trouble, version=1)
    assert Trouble.objects.get(pk=trouble.pk).status == "open"


def test_numbers_are_per_project(cast):
    a = make_trouble(cast)
    b = make_trouble(cast, title="二件目")
    c = make_trouble(cast, project=cast.other, by="vendor_manager")
    assert (a.number, b.number, c.number) == (1, 2, 1)
    assert a.disclosure_due_at - a.detected_at == timedelta(hours=24)


def test_an_issue_cannot_be_given_a_probability(cast):
    trouble = make_trouble(cast, kind="issue")
    with pytest.raises(ValidationError) as refused:
        services.trouble_update(by=cast.users["vendor_pm"], trouble=trouble, version=1, probability="high")
    assert "probability" in refused.value.error_dict


def test_of_two_racing_decisions_the_second_is_refused(cast):
    """The sponsor's page and a PM's meeting record were both loaded at the same version."""
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    seen = trouble.version
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=trouble, option=options[0], rationale="早さ", version=seen
    )
    stale = Trouble.objects.get(pk=trouble.pk)
    Trouble.objects.filter(pk=trouble.pk).update(
        status="options_proposed"
    )  # as if the first were not visible
    stale.status = "options_proposed"
    with pytest.raises(services.StaleEdit):
        services.trouble_decide(
            by=cast.users["vendor_pm"],
            trouble=stale,
            option=options[1],
            rationale="費用",
            version=seen,
            how="meeting",
            decided_by_name="山田部長",
            meeting_at=at(2026, 11, 20, 10, 0),
        )
    assert Decision.objects.get(trouble=trouble).option == options[0]
    assert Entry.objects.filter(kind="decision").count() == 1


def test_disclosure_stats_with_hand_checked_figures(cast, clock):
    from shinrai.troubles import selectors

    clock.set(2026, 11, 22, 12, 0)
    pm = cast.users["vendor_pm"]
    quick = make_trouble(cast, severity="high", detected=at(2026, 11, 20, 9, 0), title="早く伝えた")
    slow = make_trouble(cast, severity="critical", detected=at(2026, 11, 20, 9, 0), title="遅れて伝えた")
    make_trouble(
        cast, severity="high", detected=at(2026, 11, 21, 9, 0), title="まだ伝えていない"
    )  # due 11/22 9:00
    make_trouble(cast, severity="low", detected=at(2026, 11, 22, 9, 0), title="軽微")  # due 11/29
    services.trouble_disclose(by=pm, trouble=quick, version=1, at=at(2026, 11, 20, 12, 0))  # 3 h ≤ 24 h
    services.trouble_disclose(by=pm, trouble=slow, version=1, at=at(2026, 11, 20, 15, 0))  # 6 h > 4 h
    stats = selectors.disclosure_stats(user=pm, project=cast.own)
    # 1 of 2 on time = 50 %; mean of 3 h and 6 h = 4.5 h; one still untold past its target.
    assert (stats.disclosed, stats.within_target, stats.on_time_percent) == (2, 1, 50)
    assert stats.average_hours == 4.5
    assert stats.overdue_now == 1
