"""Gray-zone items: the state machine, who may take each step, the ledger entry of the customer's decision,
bad input refused (in the caller's language) with nothing written, and the age in business days."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import trans_real

from shinrai.core.models import AuditEvent, Visibility
from shinrai.grayzone import services
from shinrai.grayzone.models import GrayZoneComment, GrayZoneItem
from shinrai.ledger.chain import verify_project
from shinrai.ledger.models import Entry
from shinrai.troubles import services as trouble_services
from tests.security.edit_cases import database_digest

from .conftest import at, make_item, share

pytestmark = pytest.mark.django_db
S = GrayZoneItem.State


def _actions(item) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="grayzone.grayzoneitem", object_id=str(item.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def test_an_item_is_offered_to_the_customer_and_the_sponsor_accepts(cast, clock):
    pm, sponsor = cast.users["vendor_pm"], cast.users["customer_sponsor"]
    clock.set(2026, 11, 20, 9, 0)  # Friday
    item = make_item(cast, description="誰が監視するか未定")
    assert (item.ref, item.state, item.visibility, item.source) == ("GZ-001", "unowned", "internal", "action")

    share(cast, item)
    services.item_offer(by=pm, item=item, organization=cast.customer, note="運用チームでお願いできますか")
    item.refresh_from_db()
    assert (item.state, item.offered_to_org, item.offered_to_user) == ("offered", cast.customer, None)

    clock.set(2026, 11, 24, 15, 0)  # Tuesday; Monday 11/23 is a public holiday
    services.item_accept(by=sponsor, item=item, note="当社の運用チームで持ちます")
    item.refresh_from_db()
    assert (item.state, item.owner_org, item.owner_user) == ("accepted", cast.customer, None)
    assert item.owned_at == at(2026, 11, 24, 15, 0)
    assert item.owner_note == "当社の運用チームで持ちます"
    assert item.age_days(at(2026, 12, 24).date()) == 1  # frozen once owned: Friday → Tuesday is 1
    assert _actions(item) == ["grayzone.create", "grayzone.share", "grayzone.offer", "grayzone.accept"]
    accepted = AuditEvent.objects.get(action="grayzone.accept")
    assert accepted.actor == sponsor
    assert accepted.after == {
        "state": "accepted",
        "owner": "顧客C1",
        "person": None,
        "recorded_for_them": False,
        "age_days": 1,
        "ref": "GZ-001",
    }
    assert not Entry.objects.filter(project=cast.own).exists()  # an accepted offer is no decision


def test_a_declined_offer_leaves_the_item_without_an_owner_and_its_age_keeps_counting(cast, clock):
    pm, member = cast.users["vendor_pm"], cast.users["vendor_member"]
    clock.set(2026, 11, 16, 9, 0)  # Monday
    item = make_item(cast)
    services.item_offer(by=pm, item=item, organization=cast.vendor, person=member)
    clock.set(2026, 11, 17, 9, 0)
    services.item_decline(by=member, item=item, reason="今週は手が空きません")
    item.refresh_from_db()
    assert (item.state, item.offered_to_org, item.offered_to_user, item.offered_at) == (
        "unowned",
        None,
        None,
        None,
    )
    declined = AuditEvent.objects.get(action="grayzone.decline")
    assert (declined.actor, declined.before, declined.after) == (
        member,
        {"state": "offered", "offered_to": "ベンダーV", "person": "vendor_member"},
        {"state": "unowned", "reason": "今週は手が空きません", "ref": "GZ-001"},
    )
    # 11/16 (Mon) → 11/24 (Tue): 17, 18, 19, 20, (23 is a holiday), 24 = 5 business days.
    assert item.age_days(at(2026, 11, 24).date()) == 5


def test_escalation_shares_the_item_and_the_sponsors_decision_is_in_the_ledger(cast, clock):
    pm, sponsor = cast.users["vendor_pm"], cast.users["customer_sponsor"]
    clock.set(2026, 11, 18, 10, 0)
    item = make_item(cast, reason=GrayZoneItem.Reason.SEVERAL_VENDORS, title="決済APIの監視")
    assert item.visibility == Visibility.INTERNAL
    services.item_escalate(by=pm, item=item, note="どちらの会社が持つか決めてください")
    item.refresh_from_db()
    assert (item.state, item.visibility) == ("escalated", "customer")  # the sponsor must see what they decide
    assert item.escalated_at == at(2026, 11, 18, 10, 0)

    clock.set(2026, 11, 20, 16, 0)
    services.item_decide(
        by=sponsor, item=item, organization=cast.vendor, rationale="アプリ側で再試行するため", person=pm
    )
    item.refresh_from_db()
    assert (item.state, item.owner_org, item.owner_user, item.decided_by) == (
        "decided",
        cast.vendor,
        pm,
        sponsor,
    )
    entry = item.ledger_entry
    assert (entry.kind, entry.actor, entry.seq) == ("decision", sponsor, 1)
    assert entry.subject == "GZ-001 決済APIの監視: ベンダーV / vendor_pm"
    assert entry.payload == {
        "grayzone_item": "GZ-001",
        "grayzone_item_id": item.pk,
        "title": "決済APIの監視",
        "what": "owner of a gray-zone item",
        "owner_organization": "ベンダーV",
        "owner_organization_id": cast.vendor.pk,
        "owner_person": "vendor_pm",
        "rationale": "アプリ側で再試行するため",
        "decided_by": "customer_sponsor",
        "escalated_at": "2026-11-18T01:00:00+00:00",
        "escalation_note": "どちらの会社が持つか決めてください",
        "age_business_days": 2,  # Wed 11/18 → Fri 11/20
    }
    assert verify_project(cast.own).ok
    assert _actions(item) == ["grayzone.create", "grayzone.escalate", "grayzone.decide"]


def _offered(cast, **kwargs):
    item = make_item(cast)
    share(cast, item)
    return services.item_offer(by=cast.users["vendor_pm"], item=item, organization=cast.customer, **kwargs)


STEPS = {
    "offer": lambda cast, item: services.item_offer(
        by=cast.users["vendor_pm"], item=item, organization=cast.vendor
    ),
    "accept": lambda cast, item: services.item_accept(by=cast.users["vendor_pm"], item=item),
    "decline": lambda cast, item: services.item_decline(by=cast.users["vendor_pm"], item=item, reason="不可"),
    "escalate": lambda cast, item: services.item_escalate(
        by=cast.users["vendor_pm"], item=item, note="判断を"
    ),
    "decide": lambda cast, item: services.item_decide(
        by=cast.users["customer_sponsor"], item=item, organization=cast.vendor, rationale="当社で"
    ),
}
STATES = {
    "unowned": lambda cast: make_item(cast),
    "offered": _offered,
    "escalated": lambda cast: STEPS["escalate"](cast, make_item(cast)),
    "accepted": lambda cast: STEPS["accept"](cast, _offered(cast)),
    "decided": lambda cast: STEPS["decide"](cast, STEPS["escalate"](cast, make_item(cast))),
}
ALLOWED = {
    ("unowned", "offer"),
    ("unowned", "escalate"),
    ("offered", "accept"),
    ("offered", "decline"),
    ("offered", "escalate"),
    ("escalated", "decide"),
}
REFUSAL = {
    "offer": "Only an item without an owner can be offered.",
    "accept": "This item is not waiting for an answer to an offer.",
    "decline": "This item is not waiting for an answer to an offer.",
    "escalate": "Only an item without an owner can be escalated.",
    "decide": "This item is not waiting for your decision.",
}


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("step", list(STEPS))
def test_the_state_machine_allows_only_its_steps(cast, clock, state, step):
    item = STATES[state](cast)
    assert item.state == state
    if (state, step) in ALLOWED:
        assert STEPS[step](cast, item).state != state
        return
    before, events = database_digest(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        STEPS[step](cast, item)
    assert refused.value.messages == [REFUSAL[step]]
    assert database_digest() == before and AuditEvent.objects.count() == events


def test_only_the_offeree_the_sponsor_or_a_pm_answers_an_offer(cast, clock):
    to_customer = _offered(cast)
    for role in ("vendor_member", "customer_member", "partner_viewer"):
        with pytest.raises(PermissionError):
            services.item_accept(by=cast.users[role], item=to_customer)
    to_person = _offered(cast, person=cast.users["customer_member"])
    with pytest.raises(PermissionError):  # offered to a person: the sponsor does not answer for them
        services.item_accept(by=cast.users["customer_sponsor"], item=to_person)
    assert (
        services.item_accept(by=cast.users["customer_member"], item=to_person).owner_user
        == (cast.users["customer_member"])
    )
    recorded = services.item_decline(by=cast.users["vendor_pm"], item=to_customer, reason="会議で辞退")
    assert recorded.state == "unowned"


@pytest.mark.parametrize(
    ("role", "step"),
    [
        ("vendor_member", "offer"),
        ("vendor_member", "escalate"),
        ("customer_sponsor", "offer"),
        ("partner_viewer", "escalate"),
        ("vendor_pm", "decide"),
        ("customer_member", "decide"),
    ],
)
def test_steps_need_their_permission(cast, clock, role, step):
    item = make_item(cast)
    if step == "decide":
        item = STEPS["escalate"](cast, item)
    call = {
        "offer": lambda: services.item_offer(by=cast.users[role], item=item, organization=cast.vendor),
        "escalate": lambda: services.item_escalate(by=cast.users[role], item=item, note="判断を"),
        "decide": lambda: services.item_decide(
            by=cast.users[role], item=item, organization=cast.vendor, rationale="当社で"
        ),
    }[step]
    with pytest.raises(PermissionError):
        call()


# --- Bad input ------------------------------------------------------------------------------------------

BAD_INPUT = {
    "blank title": (
        lambda cast, item, other: make_item(cast, title="  "),
        {"title": ["Give the item a short title."]},
    ),
    "unknown reason": (
        lambda cast, item, other: make_item(cast, reason="because"),
        {"reason": ["Say why it is a gray zone: no owner yet, or several vendors."]},
    ),
    "source of another project": (
        lambda cast, item, other: make_item(cast, source="trouble", source_object=other),
        {"source_id": ["Choose one of this project's items as the source."]},
    ),
    "source named for an action": (
        lambda cast, item, other: make_item(cast, source="action", source_object=cast.own),
        {"source": ["An action stands alone: it has no source."]},
    ),
    "offer to another customer": (
        lambda cast, item, other: services.item_offer(
            by=cast.users["vendor_pm"], item=item, organization=cast.other_customer
        ),
        {"organization_id": ["Choose the vendor, the customer or a partner vendor of this project."]},
    ),
    "offer to a person of another organization": (
        lambda cast, item, other: services.item_offer(
            by=cast.users["vendor_pm"],
            item=item,
            organization=cast.vendor,
            person=cast.users["customer_member"],
        ),
        {"person_id": ["Choose a person of that organization who works on this project."]},
    ),
    "offer to the customer before sharing": (
        lambda cast, item, other: services.item_offer(
            by=cast.users["vendor_pm"], item=item, organization=cast.customer
        ),
        {"organization_id": ["Share the item with the customer before offering it to them."]},
    ),
    "offer to a partner not on the share list": (
        lambda cast, item, other: services.item_offer(
            by=cast.users["vendor_pm"], item=item, organization=cast.partner
        ),
        {"organization_id": ["Share the item with this partner vendor before offering it to them."]},
    ),
    "partners without sharing with partners": (
        lambda cast, item, other: share(cast, item, Visibility.CUSTOMER, [cast.partner]),
        {"partner_ids": ["Partner vendors see it only when it is shared with partners."]},
    ),
    "sharing with partners without naming one": (
        lambda cast, item, other: share(cast, item, Visibility.PARTNERS, []),
        {"partner_ids": ["Choose at least one partner vendor to share it with."]},
    ),
    "a partner vendor not on the project": (
        lambda cast, item, other: share(cast, item, Visibility.PARTNERS, [cast.other_customer]),
        {"partner_ids": ["Choose partner vendors of this project."]},
    ),
    "blank escalation note": (
        lambda cast, item, other: services.item_escalate(by=cast.users["vendor_pm"], item=item, note=" "),
        {"note": ["Say what the customer sponsor is asked to decide."]},
    ),
    "blank comment": (
        lambda cast, item, other: services.comment_add(by=cast.users["vendor_pm"], item=item, body="\n"),
        {"body": ["Write the comment first."]},
    ),
}


def _other_trouble(cast):
    return trouble_services.trouble_create(
        by=cast.users["vendor_manager"],
        project=cast.other,
        title="他案件の障害",
        facts="事実",
        detected_at=at(2026, 11, 20, 9),
    )


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_and_nothing_is_written(cast, clock, case):
    item = make_item(cast)
    other = _other_trouble(cast)
    call, expected = BAD_INPUT[case]
    before, events = database_digest(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        call(cast, item, other)
    assert refused.value.message_dict == expected
    assert database_digest() == before and AuditEvent.objects.count() == events


@pytest.fixture
def japanese_catalogue(monkeypatch):
    """Put translations into the Japanese catalogue for this test: ``add(msgid, msgstr)``."""
    catalogue = trans_real.translation("ja")._catalog

    def add(msgid: str, msgstr: str) -> None:
        monkeypatch.setitem(catalogue._catalogs[0], msgid, msgstr)

    return add


@pytest.mark.parametrize("case", ["blank title", "offer to the customer before sharing", "blank comment"])
def test_refusals_are_worded_in_the_callers_language(cast, clock, japanese_catalogue, case):
    """The messages are looked up when the refusal happens, in the language then active (the request's):
    each is a catalogue entry, so the Japanese text comes from django.po like every other message."""
    call, expected = BAD_INPUT[case]
    [(field, [english])] = expected.items()
    japanese_catalogue(english, f"日本語: {english}")
    item = make_item(cast)
    with translation.override("ja"), pytest.raises(ValidationError) as refused:
        call(cast, item, None)
    assert refused.value.message_dict == {field: [f"日本語: {english}"]}
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call(cast, item, None)
    assert refused.value.message_dict == expected


def test_a_decision_the_ledger_refuses_leaves_nothing_behind(cast, clock, monkeypatch):
    item = STEPS["escalate"](cast, make_item(cast))
    before, events = database_digest(), AuditEvent.objects.count()

    def refuse(**kwargs):
        raise ValidationError("ledger unavailable")

    monkeypatch.setattr("shinrai.ledger.services.ledger_append", refuse)
    with pytest.raises(ValidationError):
        STEPS["decide"](cast, item)
    assert database_digest() == before and AuditEvent.objects.count() == events
    item.refresh_from_db()
    assert item.state == "escalated" and item.ledger_entry is None


def test_the_database_refuses_a_decision_without_its_ledger_entry(cast, clock):
    item = STEPS["escalate"](cast, make_item(cast))
    with pytest.raises(IntegrityError), transaction.atomic():
        GrayZoneItem.objects.filter(pk=item.pk).update(
            state="decided",
            owner_org=cast.vendor,
            owned_at=item.escalated_at,
            decided_by=cast.users["vendor_pm"],
        )


def test_a_source_has_one_open_item_at_a_time(cast, clock):
    trouble = trouble_services.trouble_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="遅延",
        facts="事実",
        detected_at=at(2026, 11, 20, 9),
    )
    first = make_item(cast, source="trouble", source_object=trouble)
    with pytest.raises(ValidationError) as refused:
        make_item(cast, source="trouble", source_object=trouble)
    assert refused.value.message_dict == {"source_id": ["It is already an open gray-zone item: GZ-001."]}
    services.item_escalate(by=cast.users["vendor_pm"], item=first, note="判断を")
    STEPS["decide"](cast, first)
    second = make_item(cast, source="trouble", source_object=trouble)  # owned: a new gray zone may start
    assert (second.ref, second.trouble) == ("GZ-002", trouble)


def test_a_comment_keeps_the_audience_it_was_written_for(cast, clock, second_partner):
    p3, p3_viewer = second_partner
    item = make_item(cast)
    pm = cast.users["vendor_pm"]
    internal = services.comment_add(by=pm, item=item, body="社内: 見積に入っていない")
    with pytest.raises(PermissionError):
        services.comment_add(by=cast.users["partner_viewer"], item=item, body="見えないはず")
    share(cast, item, Visibility.PARTNERS, [cast.partner])
    partner = services.comment_add(by=cast.users["partner_viewer"], item=item, body="基盤側で監視できます")
    vendor_only = services.comment_add(by=pm, item=item, body="社内メモ", vendor_only=True)
    with pytest.raises(PermissionError):  # P3 is a partner of the project, but not on this item's list
        services.comment_add(by=p3_viewer, item=item, body="見えないはず")
    with pytest.raises(ValidationError):
        services.comment_add(by=cast.users["customer_member"], item=item, body="x", vendor_only=True)
    assert [c.visibility for c in GrayZoneComment.objects.order_by("id")] == [
        "internal",
        "partners",
        "internal",
    ]
    assert [internal.pk, partner.pk, vendor_only.pk] == list(
        GrayZoneComment.objects.order_by("id").values_list("pk", flat=True)
    )
    assert p3.pk not in item.shares.values_list("organization_id", flat=True)


def test_sharing_is_never_taken_back_from_the_customer(cast, clock):
    item = share(cast, make_item(cast), Visibility.PARTNERS, [cast.partner])
    item = share(cast, item, Visibility.CUSTOMER)  # partners removed: allowed
    assert (item.visibility, list(item.shares.all())) == ("customer", [])
    with pytest.raises(ValidationError) as refused:
        share(cast, item, Visibility.INTERNAL)
    assert refused.value.message_dict == {
        "visibility": ["Once shared with the customer it stays shared; you can still change the partners."]
    }
    event = AuditEvent.objects.filter(action="grayzone.share").order_by("-id").first()
    assert (event.before, event.after) == (
        {"visibility": "partners", "partners_removed": "協力会社P1"},
        {"visibility": "customer", "partners_added": "", "ref": "GZ-001"},
    )


@pytest.mark.parametrize(
    ("marked", "until", "age"),
    [
        (at(2026, 11, 20, 23, 30), (2026, 11, 24), 1),  # Friday night (JST) → Tuesday; Monday is a holiday
        (at(2026, 11, 24, 0, 30), (2026, 11, 24), 0),  # marked today
        (at(2026, 11, 9, 9), (2026, 11, 24), 10),  # 10–13, 16–20, 24
        (at(2026, 9, 18, 9), (2026, 9, 24), 1),  # Silver Week: 21, 22, 23 are holidays
        (at(2026, 11, 24, 9), (2026, 11, 20), 0),  # a date before the marking counts nothing
    ],
)
def test_the_age_is_counted_in_japanese_business_days(cast, clock, marked, until, age):
    from datetime import date

    from shinrai.grayzone.models import age_in_business_days

    assert age_in_business_days(marked, date(*until)) == age
