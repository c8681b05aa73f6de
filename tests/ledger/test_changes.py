"""Change requests: the sponsor's decision in the portal, the ledger, and the contract value history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shinrai.ledger import chain, selectors, services
from shinrai.ledger.models import ChangeRequest, Entry


def _change(cast, title, cost, days, *, propose=True, project=None):
    pm = cast.users["vendor_pm"]
    change = services.change_create(
        by=pm,
        project=project or cast.own,
        title=title,
        description=f"{title}の内容",
        reason="顧客要望",
        cost_impact=cost,
        schedule_impact_days=days,
        requested_by="顧客 営業部",
    )
    return services.change_propose(by=pm, change=change) if propose else change


def _approve(client, cast, change, *, role="customer_sponsor", approve=True, note=""):
    client.force_login(cast.users[role])
    name = "ledger:portal_change_approve" if approve else "ledger:portal_change_reject"
    return client.post(reverse(name, args=[change.project_id, change.pk]), {"note": note})


def test_contract_value_history(client, cast, clock):
    assert cast.own.contract_amount == 10_000_000
    a = _change(cast, "帳票追加", 500_000, 5)
    b = _change(cast, "機能削減", -200_000, -2)
    c = _change(cast, "全面刷新", 1_000_000, 30)
    d = _change(cast, "取り下げ分", 300_000, 3)
    _change(cast, "検討中", 700_000, 7)
    f = _change(cast, "下書き", 900_000, 9, propose=False)
    clock.set(2026, 11, 10, 10, 0)
    assert _approve(client, cast, a, note="了承します").status_code == 302
    clock.set(2026, 11, 11, 10, 0)
    assert _approve(client, cast, b).status_code == 302
    assert _approve(client, cast, c, approve=False, note="予算外").status_code == 302
    services.change_withdraw(by=cast.users["vendor_pm"], change=d)

    value = selectors.contract_value(cast.own)
    assert value.original == 10_000_000
    assert [ch.title for ch in value.approved] == ["帳票追加", "機能削減"]
    assert [ch.running_value for ch in value.approved] == [10_500_000, 10_300_000]
    assert value.change_total == 300_000
    assert value.schedule_days_total == 3
    assert value.current == 10_300_000
    states = dict(ChangeRequest.objects.values_list("title", "status"))
    assert states == {
        "帳票追加": "approved",
        "機能削減": "approved",
        "全面刷新": "rejected",
        "取り下げ分": "withdrawn",
        "検討中": "proposed",
        "下書き": "draft",
    }
    b.refresh_from_db()
    assert b.value_after == 10_300_000 and b.decided_by == cast.users["customer_sponsor"]

    # ledger: 5 proposals, 2 approvals, 1 rejection, 1 withdrawal (the draft is not in it)
    entries = list(Entry.objects.filter(project=cast.own))
    assert [e.payload["step"] for e in entries] == ["proposed"] * 5 + [
        "approved",
        "approved",
        "rejected",
        "withdrawn",
    ]
    approval_b = entries[6]
    assert approval_b.actor == cast.users["customer_sponsor"]
    assert approval_b.payload["contract_value_before"] == 10_500_000
    assert approval_b.payload["contract_value_after"] == 10_300_000
    assert approval_b.payload["cost_impact"] == -200_000
    assert entries[5].payload["note"] == "了承します"
    assert chain.verify_project(cast.own).ok

    # both sides see the original and current value; the customer never sees the draft
    client.force_login(cast.users["customer_member"])
    html = client.get(reverse("ledger:portal", args=[cast.own.pk])).content.decode()
    assert "¥10,000,000" in html and "¥10,300,000" in html
    assert "検討中" in html and "下書き" not in html
    client.force_login(cast.users["vendor_member"])
    html = client.get(reverse("ledger:changes", args=[cast.own.pk])).content.decode()
    assert "¥10,300,000" in html and "下書き" in html
    assert f.status == "draft"


def test_only_the_sponsor_approves(client, cast):
    change = _change(cast, "帳票追加", 500_000, 5)
    for role in ("customer_member", "vendor_pm", "vendor_manager", "partner_viewer", "outsider_customer"):
        assert _approve(client, cast, change, role=role).status_code == 404, role
    change.refresh_from_db()
    assert change.status == "proposed"
    assert Entry.objects.filter(project=cast.own).count() == 1  # the proposal only
    # the member sees the change but no approve button; the sponsor sees it
    client.force_login(cast.users["customer_member"])
    html = client.get(reverse("ledger:portal", args=[cast.own.pk])).content.decode()
    assert "帳票追加" in html and "portal_change_approve" not in html
    assert reverse("ledger:portal_change_approve", args=[cast.own.pk, change.pk]) not in html
    client.force_login(cast.users["customer_sponsor"])
    html = client.get(reverse("ledger:portal", args=[cast.own.pk])).content.decode()
    assert reverse("ledger:portal_change_approve", args=[cast.own.pk, change.pk]) in html


def test_a_draft_cannot_be_approved_and_a_decision_is_final(client, cast):
    draft = _change(cast, "下書き", 100_000, 1, propose=False)
    assert _approve(client, cast, draft).status_code == 404  # the customer does not see drafts
    change = _change(cast, "帳票追加", 500_000, 5)
    _approve(client, cast, change)
    response = _approve(client, cast, change, approve=False)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == "approved"
    assert [e.payload["step"] for e in Entry.objects.filter(project=cast.own)] == ["proposed", "approved"]
    with pytest.raises(ValidationError):
        services.change_withdraw(by=cast.users["vendor_pm"], change=change)


def test_change_of_another_project_is_not_reachable(client, cast):
    other = _change(cast, "他社分", 1, 1, project=cast.other)
    client.force_login(cast.users["customer_sponsor"])
    url = reverse("ledger:portal_change_approve", args=[cast.own.pk, other.pk])
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.status == "proposed"


def test_bad_input(client, cast):
    with pytest.raises(ValidationError) as error:
        services.change_create(
            by=cast.users["vendor_pm"],
            project=cast.own,
            title="",
            description="",
            reason="",
            cost_impact="abc",
            schedule_impact_days=0,
        )
    assert set(error.value.message_dict) == {"title", "description", "reason"}
    with pytest.raises(ValidationError) as error:
        services.change_create(
            by=cast.users["vendor_pm"],
            project=cast.own,
            title="t",
            description="d",
            reason="r",
            cost_impact="12万",
            schedule_impact_days=0,
        )
    assert "cost_impact" in error.value.message_dict
    client.force_login(cast.users["vendor_member"])
    response = client.post(reverse("ledger:changes", args=[cast.own.pk]), {"title": "x", "cost_impact": "x"})
    assert response.status_code == 200  # the form again, with its errors
    assert ChangeRequest.objects.count() == 0
    response = client.post(
        reverse("ledger:changes", args=[cast.own.pk]),
        {
            "title": "帳票追加",
            "description": "帳票を1本",
            "reason": "要望",
            "cost_impact": "-50000",
            "schedule_impact_days": "2",
        },
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert (change.cost_impact, change.schedule_impact_days, change.status) == (-50_000, 2, "draft")
    assert change.requested_by == cast.users["vendor_member"].get_full_name()
    # a customer cannot draft one
    client.force_login(cast.users["customer_sponsor"])
    assert client.post(reverse("ledger:changes", args=[cast.own.pk]), {"title": "y"}).status_code == 404
