"""The vendor's glossary: read by the vendor, changed by its managers and PMs, used by the check."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shinrai.core.models import AuditEvent, Role, User
from shinrai.progress import glossary, report_selectors, report_services
from shinrai.progress.models import PlainLanguageTerm

from ..factories import ProjectFactory, ProjectMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(cast):
    # Messages are compared in English.
    User.objects.update(language="en")


@pytest.fixture
def terms(cast):
    own = [
        PlainLanguageTerm.objects.create(
            vendor_org=cast.vendor,
            term="UAT",
            plain_ja="お客様の受入テスト",
            plain_en="the customer's acceptance test",
        ),
        PlainLanguageTerm.objects.create(
            vendor_org=cast.vendor, term="結合テスト", plain_ja="部品をつなげて確かめる試験"
        ),
    ]
    foreign = PlainLanguageTerm.objects.create(
        vendor_org=cast.other_vendor, term="PMO", plain_ja="他社の用語の説明"
    )
    return own, foreign


def _page(client, cast, role, url):
    client.force_login(cast.users[role])
    return client.get(url)


# --- Who -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "editor"),
    [
        ("vendor_manager", True),  # the portfolio flag
        ("vendor_pm", True),  # PM of a project of the vendor
        ("vendor_member", False),
        ("vendor_admin", False),  # the admin site is theirs
        ("other_vendor_manager", True),  # of their own vendor's glossary
        ("customer_sponsor", False),
        ("partner_viewer", False),
    ],
)
def test_who_changes_the_glossary(cast, role, editor):
    assert glossary.can_edit(cast.users[role]) is editor


def test_a_pm_of_another_vendors_project_is_not_an_editor(cast):
    # A membership that contradicts the user's organization grants nothing, as everywhere.
    stray = UserFactory(organization=cast.vendor)
    ProjectMemberFactory(project=cast.foreign, user=stray, role=Role.VENDOR_PM)
    assert glossary.can_edit(stray) is False
    ProjectMemberFactory(project=ProjectFactory(vendor_org=cast.vendor), user=stray, role=Role.VENDOR_MANAGER)
    assert glossary.can_edit(stray) is True


# --- The list --------------------------------------------------------------------------------------------


def test_the_vendor_reads_its_own_glossary_only(client, cast, terms):
    response = _page(client, cast, "vendor_member", reverse("reports:glossary"))
    assert response.status_code == 200
    assert [t.term for t in response.context["terms"]] == ["UAT", "結合テスト"]
    html = response.content.decode()
    assert "お客様の受入テスト" in html and "他社の用語の説明" not in html
    assert reverse("reports:glossary_new") not in html  # a member reads, does not change
    pm_html = _page(client, cast, "vendor_pm", reverse("reports:glossary")).content.decode()
    assert reverse("reports:glossary_edit", args=[terms[0][0].pk]) in pm_html
    assert reverse("reports:glossary_delete", args=[terms[0][0].pk]) in pm_html


@pytest.mark.parametrize(
    ("search", "found"),
    [("uat", ["UAT"]), ("部品", ["結合テスト"]), ("PMO", []), ("", ["UAT", "結合テスト"])],
)
def test_search_by_term_or_explanation(client, cast, terms, search, found):
    response = _page(client, cast, "vendor_member", reverse("reports:glossary") + f"?q={search}")
    assert [t.term for t in response.context["terms"]] == found


@pytest.mark.parametrize("role", ["customer_sponsor", "partner_viewer", "outsider_customer"])
def test_customers_and_partners_never_see_a_glossary(client, cast, terms, role):
    assert _page(client, cast, role, reverse("reports:glossary")).status_code == 404
    assert (
        _page(client, cast, role, reverse("reports:glossary_edit", args=[terms[0][0].pk])).status_code == 404
    )


def test_reached_from_the_nav_and_the_report_draft(client, cast, clock):
    clock.set(2026, 11, 20, 17)
    draft = report_services.report_create_draft(
        by=cast.users["vendor_pm"], project=cast.own, week_start=date(2026, 11, 16)
    )
    html = _page(
        client, cast, "vendor_pm", reverse("reports:edit", args=[cast.own.pk, draft.pk])
    ).content.decode()
    assert html.count(f'href="{reverse("reports:glossary")}"') == 2  # the main nav and the findings panel
    customer_html = _page(client, cast, "customer_sponsor", reverse("core:portal")).content.decode()
    assert reverse("reports:glossary") not in customer_html


# --- Adding and changing -----------------------------------------------------------------------------------


def test_a_pm_adds_a_term_and_the_check_uses_it(client, cast, clock):
    clock.set(2026, 11, 20, 17)
    draft = report_services.report_create_draft(
        by=cast.users["vendor_pm"], project=cast.own, week_start=date(2026, 11, 16)
    )
    draft = report_services.report_update(
        by=cast.users["vendor_pm"], report=draft, done="・PoCを実施しました"
    )
    before = report_selectors.report_findings(report=draft, language="ja")
    assert "PoC" not in [f.text for f in before.get("done", [])]

    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("reports:glossary_new"),
        {"term": " PoC ", "plain_ja": "本格導入の前に小さく試して確かめること", "plain_en": ""},
    )
    assert response.status_code == 302
    term = PlainLanguageTerm.objects.get(vendor_org=cast.vendor, term="PoC")
    assert term.plain_ja == "本格導入の前に小さく試して確かめること"
    event = AuditEvent.objects.get(action="glossary.create")
    assert (event.actor, event.object_id, event.after["term"]) == (
        cast.users["vendor_pm"],
        str(term.pk),
        "PoC",
    )

    [finding] = [
        f for f in report_selectors.report_findings(report=draft, language="ja")["done"] if f.text == "PoC"
    ]
    assert (finding.kind, finding.explanation) == ("jargon", "本格導入の前に小さく試して確かめること")


def test_a_duplicate_term_is_refused_with_a_clear_message(client, cast, terms):
    client.force_login(cast.users["vendor_manager"])
    response = client.post(reverse("reports:glossary_new"), {"term": "uat", "plain_ja": "受入テスト"})
    assert response.status_code == 200
    assert response.context["form"].errors["term"] == [
        "uat is in the glossary already. Edit that entry instead."
    ]
    assert PlainLanguageTerm.objects.filter(vendor_org=cast.vendor).count() == 2
    # Another vendor's term of the same name is no clash.
    client.force_login(cast.users["other_vendor_manager"])
    assert (
        client.post(reverse("reports:glossary_new"), {"term": "UAT", "plain_ja": "受入試験"}).status_code
        == 302
    )


def test_the_form_validates(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(reverse("reports:glossary_new"), {"term": "   ", "plain_ja": ""})
    assert set(response.context["form"].errors) == {"term", "plain_ja"}
    too_long = client.post(reverse("reports:glossary_new"), {"term": "あ" * 65, "plain_ja": "説明"})
    assert "term" in too_long.context["form"].errors
    assert not PlainLanguageTerm.objects.exists()


def test_editing_a_term_is_audited_with_before_and_after(client, cast, terms):
    uat = terms[0][0]
    client.force_login(cast.users["vendor_pm"])
    url = reverse("reports:glossary_edit", args=[uat.pk])
    assert client.get(url).context["form"].initial["term"] == "UAT"
    response = client.post(
        url, {"term": "UAT", "plain_ja": "お客様ご自身が行う受入テスト", "plain_en": uat.plain_en}
    )
    assert response.status_code == 302
    uat.refresh_from_db()
    assert uat.plain_ja == "お客様ご自身が行う受入テスト"
    event = AuditEvent.objects.get(action="glossary.update")
    assert (event.before, event.after) == (
        {"plain_ja": "お客様の受入テスト"},
        {"plain_ja": "お客様ご自身が行う受入テスト"},
    )
    # Renaming it to another term of the glossary is a duplicate.
    clash = client.post(url, {"term": "結合テスト", "plain_ja": "x"})
    assert "term" in clash.context["form"].errors


def test_members_may_not_change_it_and_other_vendors_terms_are_not_there(client, cast, terms):
    (uat, _), foreign = terms
    client.force_login(cast.users["vendor_member"])
    assert client.get(reverse("reports:glossary_new")).status_code == 403
    assert (
        client.post(
            reverse("reports:glossary_edit", args=[uat.pk]), {"term": "X", "plain_ja": "x"}
        ).status_code
        == 403
    )
    assert client.post(reverse("reports:glossary_delete", args=[uat.pk])).status_code == 403
    client.force_login(cast.users["vendor_pm"])
    assert client.get(reverse("reports:glossary_edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("reports:glossary_delete", args=[foreign.pk])).status_code == 404
    uat.refresh_from_db()
    assert uat.term == "UAT"
    assert PlainLanguageTerm.objects.count() == 3


def test_the_services_refuse_non_editors_and_other_vendors(cast, terms):
    (uat, _), foreign = terms
    with pytest.raises(PermissionError):
        glossary.term_save(by=cast.users["vendor_member"], term="PoC", plain_ja="試し")
    with pytest.raises(PermissionError):
        glossary.term_save(by=cast.users["vendor_pm"], entry=foreign, plain_ja="書き換え")
    with pytest.raises(PermissionError):
        glossary.term_delete(by=cast.users["vendor_pm"], entry=foreign)
    with pytest.raises(ValidationError):
        glossary.term_save(by=cast.users["vendor_pm"], entry=uat, plain_ja="  ")


# --- Deleting --------------------------------------------------------------------------------------------


def test_delete_asks_first_then_removes(client, cast, terms):
    uat = terms[0][0]
    client.force_login(cast.users["vendor_pm"])
    url = reverse("reports:glossary_delete", args=[uat.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "お客様の受入テスト" in confirm.content.decode()
    assert PlainLanguageTerm.objects.filter(pk=uat.pk).exists()
    response = client.post(url)
    assert response["Location"] == reverse("reports:glossary")
    assert not PlainLanguageTerm.objects.filter(pk=uat.pk).exists()
    event = AuditEvent.objects.get(action="glossary.delete")
    assert event.before == {
        "term": "UAT",
        "plain_ja": "お客様の受入テスト",
        "plain_en": "the customer's acceptance test",
    }
