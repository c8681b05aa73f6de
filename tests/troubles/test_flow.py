"""The issue's flow through the pages only: a PM records an incident, discloses it, proposes three options;
the customer sponsor chooses one in the portal; follow-ups close it; the customer reads the post-mortem; the
ledger holds the decision and verifies."""

import pytest
from django.urls import reverse

from shinrai.ledger.chain import verify_project
from shinrai.ledger.models import Entry
from shinrai.troubles.models import Trouble

pytestmark = pytest.mark.django_db


def test_incident_to_post_mortem_through_the_pages(client, cast, clock):
    own = cast.own.pk
    pm, sponsor = cast.users["vendor_pm"], cast.users["customer_sponsor"]
    clock.set(2026, 11, 20, 10, 0)
    client.force_login(pm)
    client.post(
        reverse("troubles:new", args=[own]),
        {
            "kind": "incident",
            "title": "受注データの二重登録",
            "facts": "11/20 8:30 以降の受注が二重に登録された",
            "detected_at": "2026-11-20T09:00",
            "severity": "high",
        },
    )
    trouble = Trouble.objects.get()
    t = trouble.pk

    def version():
        return Trouble.objects.get(pk=t).version

    clock.set(2026, 11, 20, 11, 15)
    client.post(reverse("troubles:disclose", args=[own, t]), {"visibility": "customer", "version": version()})
    client.post(reverse("troubles:analyse", args=[own, t]), {"version": version()})
    for text, cost in (
        ("重複分を手作業で削除", "0"),
        ("重複排除の改修", "500000"),
        ("一時的に受注を止める", "0"),
    ):
        client.post(reverse("troubles:option", args=[own, t]), {"description": text, "cost": cost})
    client.post(reverse("troubles:propose", args=[own, t]), {"version": version()})

    client.force_login(sponsor)
    portal = client.get(reverse("troubles:portal_list", args=[own])).content.decode()
    assert "受注データの二重登録" in portal
    option_b = Trouble.objects.get(pk=t).options.get(position=1)
    client.post(
        reverse("troubles:portal_choose", args=[own, t]),
        {"option": option_b.pk, "rationale": "再発させないことを優先", "version": version()},
    )

    client.force_login(pm)
    client.post(
        reverse("troubles:follow_up", args=[own, t]), {"action": "改修版をリリース", "due": "2026-11-27"}
    )
    follow_up = Trouble.objects.get(pk=t).follow_ups.get()
    client.post(reverse("troubles:follow_up_done", args=[own, t, follow_up.pk]))
    client.post(
        reverse("troubles:close", args=[own, t]),
        {
            "whys": "二重登録された\n画面の二度押しを防いでいなかった\n設計基準に二度押し対策がなかった",
            "root_cause": "設計基準に二度押し対策がなかった",
            "measure_1": "設計基準に二度押し対策を追加",
            "due_1": "2026-12-04",
            "version": version(),
        },
    )
    trouble = Trouble.objects.get(pk=t)
    assert trouble.status == "closed"
    assert trouble.hours_to_disclose == 2.3  # 09:00 → 11:15 = 2.25 h, rounded half up to one decimal

    client.force_login(cast.users["customer_member"])
    page = client.get(reverse("troubles:portal_detail", args=[own, t])).content.decode()
    assert "設計基準に二度押し対策を追加" in page and "再発させないことを優先" in page
    entry = Entry.objects.get(project=cast.own, kind="decision")
    assert entry.actor == sponsor and entry.payload["option"] == "B"
    assert verify_project(cast.own).ok
