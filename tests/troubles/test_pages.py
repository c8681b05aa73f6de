"""The vendor's register and trouble page, the customer's portal pages, and who sees what."""

import pytest
from django.urls import reverse

from shinrai.core.models import Visibility
from shinrai.ledger.models import Entry
from shinrai.troubles import services
from shinrai.troubles.models import Decision, Trouble

from .conftest import at, disclose, make_trouble, proposed

pytestmark = pytest.mark.django_db


def _follow(client, response):
    return client.get(response["Location"])


def test_a_pm_records_discloses_and_proposes_through_the_pages(client, cast, clock):
    clock.set(2026, 11, 20, 12, 0)
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("troubles:new", args=[cast.own.pk]),
        {
            "kind": "incident",
            "title": "本番環境でログイン不可",
            "facts": "11:00 から全利用者がログインできない",
            "detected_at": "2026-11-20T11:00",
            "severity": "critical",
            "cost_impact": "300000",
            "schedule_impact_days": "2",
        },
    )
    trouble = Trouble.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "troubles:detail", args=[cast.own.pk, trouble.pk]
    )
    assert trouble.visibility == "internal" and trouble.cost_impact == 300_000

    clock.set(2026, 11, 20, 12, 30)
    client.post(
        reverse("troubles:disclose", args=[cast.own.pk, trouble.pk]), {"visibility": "customer", "version": 1}
    )
    client.post(reverse("troubles:note", args=[cast.own.pk, trouble.pk]), {"body": "原因はたぶん証明書切れ"})
    for text in ("証明書を更新する", "旧環境に切り戻す", "暫定で認証を外す"):
        client.post(
            reverse("troubles:option", args=[cast.own.pk, trouble.pk]),
            {"description": text, "pros": "早い", "cons": "手間", "cost": "100000", "time_days": "1"},
        )
    trouble.refresh_from_db()
    response = client.post(
        reverse("troubles:propose", args=[cast.own.pk, trouble.pk]), {"version": trouble.version}
    )
    trouble.refresh_from_db()
    assert trouble.status == "options_proposed" and trouble.options.count() == 3
    assert trouble.hours_to_disclose == 1.5  # 11:00 → 12:30

    register = client.get(reverse("troubles:register", args=[cast.own.pk])).content.decode()
    assert "T-001" in register and "1.5 h" in register
    page = _follow(client, response).content.decode()
    assert "原因はたぶん証明書切れ" in page  # the vendor's own page shows internal notes


def test_the_register_highlights_overdue_disclosures_and_filters(client, cast, clock):
    clock.set(2026, 11, 21, 16, 0)
    make_trouble(cast, severity="high", detected=at(2026, 11, 20, 10, 0), title="遅れている件")
    make_trouble(cast, kind="risk", severity="low", detected=at(2026, 11, 21, 10, 0), title="将来のリスク")
    client.force_login(cast.users["vendor_member"])
    url = reverse("troubles:register", args=[cast.own.pk])
    page = client.get(url).content.decode()
    assert "遅れている件" in page and "将来のリスク" in page
    assert page.count("warning overdue") == 1
    risks = client.get(url, {"kind": "risk"}).content.decode()
    assert "将来のリスク" in risks and "遅れている件" not in risks
    closed = client.get(url, {"status": "closed"}).content.decode()
    assert "遅れている件" not in closed


def test_a_stale_edit_page_shows_the_message_and_keeps_the_other_change(client, cast):
    trouble = make_trouble(cast)
    services.trouble_update(
        by=cast.users["vendor_member"], trouble=trouble, version=1, title="先に保存された題名"
    )
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("troubles:edit", args=[cast.own.pk, trouble.pk]),
        {
            "kind": "incident",
            "title": "古い画面からの題名",
            "facts": "事実",
            "detected_at": "2026-11-20T09:00",
            "severity": "high",
            "version": "1",
        },
    )
    assert response.status_code == 409  # the shared conflict page (shinrai/core/locking.py)
    assert "Someone else changed this trouble" in response.content.decode()
    assert Trouble.objects.get(pk=trouble.pk).title == "先に保存された題名"


def test_the_sponsor_chooses_in_the_portal_and_it_reaches_the_ledger(client, cast):
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    client.force_login(cast.users["customer_sponsor"])
    detail = client.get(reverse("troubles:portal_detail", args=[cast.own.pk, trouble.pk])).content.decode()
    assert "バッチを改修する" in detail and "800,000" in detail and "費用がかかる" in detail
    assert 'name="option"' in detail
    response = client.post(
        reverse("troubles:portal_choose", args=[cast.own.pk, trouble.pk]),
        {"option": options[1].pk, "rationale": "再発させたくない", "version": trouble.version},
    )
    assert response.status_code == 302
    decision = Decision.objects.get(trouble=trouble)
    assert decision.option == options[1] and decision.decided_by == cast.users["customer_sponsor"]
    entry = Entry.objects.get(kind="decision", project=cast.own)
    assert entry.payload["trouble"] == "T-001" and entry.payload["option"] == "B"
    page = _follow(client, response).content.decode()
    assert "再発させたくない" in page


def test_a_customer_member_cannot_choose(client, cast):
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    client.force_login(cast.users["customer_member"])
    detail = client.get(reverse("troubles:portal_detail", args=[cast.own.pk, trouble.pk])).content.decode()
    assert 'name="option"' not in detail  # no form: the sponsor decides
    response = client.post(
        reverse("troubles:portal_choose", args=[cast.own.pk, trouble.pk]),
        {"option": options[0].pk, "rationale": "これで", "version": trouble.version},
    )
    assert response.status_code == 404
    assert not Decision.objects.exists() and not Entry.objects.filter(kind="decision").exists()


def test_a_choice_without_a_reason_is_refused_with_a_message(client, cast):
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    client.force_login(cast.users["customer_sponsor"])
    response = client.post(
        reverse("troubles:portal_choose", args=[cast.own.pk, trouble.pk]),
        {"option": options[0].pk, "rationale": "", "version": trouble.version},
    )
    assert response.status_code == 302
    assert not Decision.objects.exists()
    assert "Why you chose it" in _follow(client, response).content.decode()


def test_customers_never_see_internal_notes_or_undisclosed_troubles(client, cast):
    shared = make_trouble(cast, title="共有済みの件")
    services.note_add(by=cast.users["vendor_pm"], trouble=shared, body="社内だけのメモ：担当者のミス")
    disclose(cast, shared)
    make_trouble(cast, title="まだ伝えていない件")
    for role in ("customer_sponsor", "customer_member"):
        client.force_login(cast.users[role])
        listing = client.get(reverse("troubles:portal_list", args=[cast.own.pk])).content.decode()
        assert "共有済みの件" in listing and "まだ伝えていない件" not in listing
        detail = client.get(reverse("troubles:portal_detail", args=[cast.own.pk, shared.pk])).content.decode()
        assert "共有済みの件" in detail
        assert "社内だけのメモ" not in detail
        assert client.get(reverse("troubles:detail", args=[cast.own.pk, shared.pk])).status_code == 404


def test_partners_see_only_troubles_shared_with_partners(client, cast):
    for_customer = make_trouble(cast, title="顧客にだけ共有")
    disclose(cast, for_customer)
    for_partners = make_trouble(cast, title="協力会社にも共有")
    disclose(cast, for_partners, visibility=Visibility.PARTNERS)
    client.force_login(cast.users["partner_viewer"])
    listing = client.get(reverse("troubles:portal_list", args=[cast.own.pk])).content.decode()
    assert "協力会社にも共有" in listing and "顧客にだけ共有" not in listing
    url = reverse("troubles:portal_detail", args=[cast.own.pk, for_customer.pk])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("troubles:portal_detail", args=[cast.own.pk, for_partners.pk])).status_code == 200
    )


def test_another_customer_gets_404(client, cast):
    trouble = make_trouble(cast)
    proposed(cast, trouble)
    client.force_login(cast.users["outsider_customer"])
    assert client.get(reverse("troubles:portal_list", args=[cast.own.pk])).status_code == 404
    assert client.get(reverse("troubles:portal_detail", args=[cast.own.pk, trouble.pk])).status_code == 404
    # Nor through their own project's URL with this trouble's id.
    assert client.get(reverse("troubles:portal_detail", args=[cast.other.pk, trouble.pk])).status_code == 404


def test_the_post_mortem_is_shown_to_the_customer_once_closed(client, cast):
    pm = cast.users["vendor_pm"]
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=trouble, option=options[0], rationale="早さ"
    )
    services.followup_done(by=pm, follow_up=services.followup_add(by=pm, trouble=trouble, action="再実行"))
    client.force_login(pm)
    response = client.post(
        reverse("troubles:close", args=[cast.own.pk, trouble.pk]),
        {
            "whys": "バッチが止まった\nDB接続が切れた\n再接続しない作りだった",
            "root_cause": "再接続処理の標準化不足",
            "what_worked": "手動再実行で当日中に復旧",
            "measure_1": "再接続を標準部品にする",
            "due_1": "2026-12-15",
            "version": str(trouble.version + 0),
        },
    )
    trouble.refresh_from_db()
    assert response.status_code == 302, response.content.decode()[:500]
    assert trouble.status == "closed"
    client.force_login(cast.users["customer_member"])
    page = client.get(reverse("troubles:portal_detail", args=[cast.own.pk, trouble.pk])).content.decode()
    assert "再接続処理の標準化不足" in page and "DB接続が切れた" in page and "再接続を標準部品にする" in page


def test_closing_needs_a_prevention_measure(client, cast):
    pm = cast.users["vendor_pm"]
    trouble = make_trouble(cast)
    options = proposed(cast, trouble, options=1)
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=trouble, option=options[0], rationale="早さ"
    )
    services.followup_add(by=pm, trouble=trouble, action="再実行")
    client.force_login(pm)
    response = client.post(
        reverse("troubles:close", args=[cast.own.pk, trouble.pk]),
        {"root_cause": "原因", "measure_1": "", "version": str(trouble.version)},
    )
    assert response.status_code == 200
    assert Trouble.objects.get(pk=trouble.pk).status == "follow_up"


def test_the_vendor_page_renders_at_every_step(client, cast):
    pm = cast.users["vendor_pm"]
    client.force_login(pm)
    trouble = make_trouble(cast)
    url = reverse("troubles:detail", args=[cast.own.pk, trouble.pk])

    def page():
        return client.get(url).content.decode()

    assert "Start the analysis" in page() and "Disclose" in page()
    options = proposed(cast, trouble)
    assert "Record a decision made in a meeting" in page() and "Add an option" in page()
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=trouble, option=options[0], rationale="早さ"
    )
    decided = page()
    assert "Add an option" not in decided and "Follow-up actions" in decided and "早さ" in decided
    follow_up = services.followup_add(by=pm, trouble=trouble, action="監視を追加")
    services.followup_done(by=pm, follow_up=follow_up)
    assert "Close with root cause and prevention" in page()
    services.trouble_close(
        by=pm,
        trouble=trouble,
        version=trouble.version,
        root_cause="原因",
        whys=["なぜ1"],
        preventions=[{"measure": "対策"}],
    )
    closed = page()
    assert "対策" in closed and "Mark as done" in closed and "Edit" not in closed
    prevention = trouble.preventions.get()
    client.post(reverse("troubles:prevention_done", args=[cast.own.pk, trouble.pk, prevention.pk]))
    prevention.refresh_from_db()
    assert prevention.done_at is not None
