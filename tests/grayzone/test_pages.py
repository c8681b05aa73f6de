"""The gray-zone and anticipated-question pages: what each role sees and does through the forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinrai.core.models import AuditEvent, Visibility
from shinrai.grayzone import services
from shinrai.grayzone.models import GrayZoneComment, GrayZoneItem, Position
from shinrai.ledger.models import Entry
from shinrai.troubles import services as trouble_services

from .conftest import at, make_item, share

pytestmark = pytest.mark.django_db


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_pm_marks_a_trouble_as_a_gray_zone_from_the_board(client, cast, clock):
    pm = cast.users["vendor_pm"]
    trouble = trouble_services.trouble_create(
        by=pm, project=cast.own, title="決済APIが遅い", facts="3.4秒", detected_at=at(2026, 11, 20, 9)
    )
    _as(client, cast, "vendor_pm")
    board = _text(client.get(reverse("grayzone:board", args=[cast.own.pk])))
    assert reverse("grayzone:new", args=[cast.own.pk]) in board and "No gray zones." in board
    form = _text(client.get(reverse("grayzone:new", args=[cast.own.pk])))
    assert f'value="trouble:{trouble.pk}"' in form and "T-001 決済APIが遅い" in form
    response = client.post(
        reverse("grayzone:new", args=[cast.own.pk]),
        {
            "title": "再試行の担当",
            "reason": "several_vendors",
            "description": "誰が持つか",
            "source": f"trouble:{trouble.pk}",
        },
    )
    item = GrayZoneItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "grayzone:detail", args=[cast.own.pk, item.pk]
    )
    assert (item.title, item.source, item.trouble, item.created_by) == (
        "再試行の担当",
        "trouble",
        trouble,
        pm,
    )
    board = _text(client.get(reverse("grayzone:board", args=[cast.own.pk])))
    assert "GZ-001" in board and "T-001 決済APIが遅い" in board and 'data-unowned="1"' in board
    # An open gray zone already: no longer offered as a source.
    assert f'value="trouble:{trouble.pk}"' not in _text(
        client.get(reverse("grayzone:new", args=[cast.own.pk]))
    )


def test_a_refused_new_item_shows_the_form_again_with_the_message(client, cast, clock):
    _as(client, cast, "vendor_member")
    response = client.post(
        reverse("grayzone:new", args=[cast.own.pk]),
        {"title": "x", "reason": "no_owner", "source": "task:999999"},
    )
    assert response.status_code == 200
    assert (
        "Select a valid choice. task:999999 is not one of the available choices." in response.content.decode()
    )
    assert not GrayZoneItem.objects.exists()


def test_the_item_page_takes_an_item_from_sharing_to_an_owner(client, cast, clock):
    item = make_item(cast)
    _as(client, cast, "vendor_pm")
    url = reverse("grayzone:detail", args=[cast.own.pk, item.pk])
    page = _text(client.get(url))
    for action in ("share", "offer", "escalate", "comment"):
        assert reverse(f"grayzone:{action}", args=[cast.own.pk, item.pk]) in page, action
    response = client.post(
        reverse("grayzone:share", args=[cast.own.pk, item.pk]),
        {"visibility": "partners", "partners": [cast.partner.pk]},
    )
    assert response.status_code == 302 and response["Location"] == url
    response = client.post(
        reverse("grayzone:offer", args=[cast.own.pk, item.pk]),
        {
            "organization": cast.partner.pk,
            "person": cast.users["partner_viewer"].pk,
            "note": "お願いできますか",
        },
        follow=True,
    )
    assert _messages(response) == ["Sharing saved.", "The item was offered."]
    response = client.post(
        reverse("grayzone:accept", args=[cast.own.pk, item.pk]), {"note": "定例会で合意"}, follow=True
    )
    assert "Accepted: the item has an owner." in _messages(response)
    item.refresh_from_db()
    assert (item.state, item.owner_org, item.owner_user) == (
        "accepted",
        cast.partner,
        cast.users["partner_viewer"],
    )
    assert "協力会社P1 / partner_viewer" in response.content.decode()


def test_a_refused_step_comes_back_as_a_message(client, cast, clock):
    item = make_item(cast)
    _as(client, cast, "vendor_pm")
    response = client.post(
        reverse("grayzone:offer", args=[cast.own.pk, item.pk]),
        {"organization": cast.customer.pk},
        follow=True,
    )
    assert _messages(response) == ["Share the item with the customer before offering it to them."]
    response = client.post(
        reverse("grayzone:escalate", args=[cast.own.pk, item.pk]), {"note": ""}, follow=True
    )
    assert _messages(response) == ["This field is required."]
    item.refresh_from_db()
    assert item.state == "unowned"


def test_the_sponsor_decides_an_escalated_item_in_the_portal(client, cast, clock):
    item = make_item(cast, title="監視の担当")
    services.item_escalate(by=cast.users["vendor_pm"], item=item, note="どちらが持つか決めてください")
    _as(client, cast, "customer_sponsor")
    listing = _text(client.get(reverse("grayzone:portal_list", args=[cast.own.pk])))
    assert "監視の担当" in listing and "Waiting for your decision" in listing
    url = reverse("grayzone:portal_detail", args=[cast.own.pk, item.pk])
    page = _text(client.get(url))
    assert reverse("grayzone:portal_decide", args=[cast.own.pk, item.pk]) in page
    response = client.post(
        reverse("grayzone:portal_decide", args=[cast.own.pk, item.pk]),
        {"organization": cast.vendor.pk, "person": "", "rationale": "アプリ側の作業なので"},
        follow=True,
    )
    assert "Thank you. Your decision was recorded in the ledger." in _messages(response)
    entry = Entry.objects.get(project=cast.own)
    assert (entry.kind, entry.actor, entry.payload["owner_organization"]) == (
        "decision",
        cast.users["customer_sponsor"],
        "ベンダーV",
    )
    assert "ledger entry #1" in response.content.decode()
    _as(client, cast, "customer_member")
    assert reverse("grayzone:portal_decide", args=[cast.own.pk, item.pk]) not in _text(client.get(url))


def test_a_partner_vendor_reads_and_comments_on_what_is_shared_with_it_only(
    client, cast, clock, second_partner
):
    p3, p3_viewer = second_partner
    shared = share(cast, make_item(cast, title="共有あり"), Visibility.PARTNERS, [cast.partner])
    not_shared = share(cast, make_item(cast, title="P3のみ"), Visibility.PARTNERS, [p3])
    services.comment_add(by=cast.users["vendor_pm"], item=shared, body="社内の相談", vendor_only=True)
    _as(client, cast, "partner_viewer")
    listing = _text(client.get(reverse("grayzone:portal_list", args=[cast.own.pk])))
    assert "共有あり" in listing and "P3のみ" not in listing
    page = _text(client.get(reverse("grayzone:portal_detail", args=[cast.own.pk, shared.pk])))
    assert "社内の相談" not in page and "協力会社P3" not in page
    response = client.post(
        reverse("grayzone:comment", args=[cast.own.pk, shared.pk]), {"body": "基盤側で見ます"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("grayzone:portal_detail", args=[cast.own.pk, shared.pk])
    assert (
        GrayZoneComment.objects.filter(item=shared, author=cast.users["partner_viewer"]).get().body
        == "基盤側で見ます"
    )
    for url, method in (
        (reverse("grayzone:portal_detail", args=[cast.own.pk, not_shared.pk]), "get"),
        (reverse("grayzone:comment", args=[cast.own.pk, not_shared.pk]), "post"),
        (reverse("grayzone:board", args=[cast.own.pk]), "get"),
        (reverse("grayzone:detail", args=[cast.own.pk, shared.pk]), "get"),
        (reverse("grayzone:accept", args=[cast.own.pk, shared.pk]), "post"),
    ):
        assert getattr(client, method)(url, {"body": "x"}).status_code == 404, url


def test_the_edit_page_saves_and_refuses_a_stale_copy(client, cast, clock):
    item = make_item(cast)
    _as(client, cast, "vendor_member")
    url = reverse("grayzone:edit", args=[cast.own.pk, item.pk])
    page = _text(client.get(url))
    lock = page.split('name="lock" value="')[1].split('"')[0]
    clock.set(2026, 11, 24, 10, 5)
    services.item_update(by=cast.users["vendor_pm"], item=item, title="別の人が変えた")
    response = client.post(url, {"title": "私の変更", "reason": "no_owner", "description": "", "lock": lock})
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.title == "別の人が変えた"
    fresh = response.content.decode().split('name="lock" value="')[1].split('"')[0]
    response = client.post(url, {"title": "私の変更", "reason": "no_owner", "description": "", "lock": fresh})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "私の変更"
    assert AuditEvent.objects.filter(action="grayzone.update").count() == 2


def test_the_portfolio_board_is_for_vendor_users(client, cast, clock):
    make_item(cast, title="自社案件の件")
    make_item(cast, project=cast.other, by="vendor_manager", title="他顧客の件")
    _as(client, cast, "vendor_manager")
    page = _text(client.get(reverse("grayzone:portfolio")))
    assert "自社案件の件" in page and "他顧客の件" in page and "OTHER-1" in page
    assert reverse("grayzone:portfolio") in _text(client.get(reverse("core:portfolio")))
    _as(client, cast, "customer_sponsor")
    assert client.get(reverse("grayzone:portfolio")).status_code == 404


def test_the_project_pages_link_to_the_boards(client, cast, clock):
    _as(client, cast, "vendor_pm")
    home = _text(client.get(reverse("core:project_home", args=[cast.own.pk])))
    assert reverse("grayzone:board", args=[cast.own.pk]) in home
    assert reverse("positions:list", args=[cast.own.pk]) in home
    _as(client, cast, "partner_viewer")
    portal = _text(client.get(reverse("core:portal_project", args=[cast.own.pk])))
    assert reverse("grayzone:portal_list", args=[cast.own.pk]) in portal
    assert reverse("positions:portal_list", args=[cast.own.pk]) in portal


# --- Anticipated questions ----------------------------------------------------------------------------------

POSITION = {
    "question": "リリースは遅れますか？",
    "meeting": "週次定例会",
    "meeting_on": "2026-11-27",
    "facts": "決済APIが遅い",
    "options": "A: 待つ\nB: キュー化",
    "recommendation": "Bを進めます",
}


def test_a_position_is_drafted_shared_and_revised_as_versions(client, cast, clock):
    _as(client, cast, "vendor_pm")
    response = client.post(reverse("positions:new", args=[cast.own.pk]), POSITION)
    position = Position.objects.get()
    assert response.status_code == 302
    detail = reverse("positions:detail", args=[cast.own.pk, position.pk])
    assert "Not shared yet: there are no versions." in _text(client.get(detail))
    _as(client, cast, "customer_sponsor")
    assert client.get(reverse("positions:portal_detail", args=[cast.own.pk, position.pk])).status_code == 404

    _as(client, cast, "vendor_pm")
    client.post(
        reverse("positions:share", args=[cast.own.pk, position.pk]),
        {"visibility": "partners", "partners": [cast.partner.pk]},
    )
    edit = reverse("positions:edit", args=[cast.own.pk, position.pk])
    lock = _text(client.get(edit)).split('name="lock" value="')[1].split('"')[0]
    response = client.post(
        edit, POSITION | {"recommendation": "Bを12/10までに", "note": "期日を追記", "lock": lock}
    )
    assert response.status_code == 302
    position.refresh_from_db()
    assert (position.version, position.recommendation) == (2, "Bを12/10までに")

    _as(client, cast, "partner_viewer")
    listing = _text(client.get(reverse("positions:portal_list", args=[cast.own.pk])))
    assert "リリースは遅れますか？" in listing and "v2" in listing
    page = _text(client.get(reverse("positions:portal_detail", args=[cast.own.pk, position.pk])))
    assert "Bを12/10までに" in page and "期日を追記" in page
    first = _text(client.get(reverse("positions:portal_version", args=[cast.own.pk, position.pk, 1])))
    assert "Bを進めます" in first and "Bを12/10までに" not in first
    assert client.get(reverse("positions:list", args=[cast.own.pk])).status_code == 404
    assert (
        client.get(reverse("positions:portal_version", args=[cast.own.pk, position.pk, 3])).status_code == 404
    )


def test_the_portal_preview_shows_a_vendor_what_the_customer_sees(client, cast, clock):
    make_item(cast, title="社内だけの件")
    shared = share(cast, make_item(cast, title="共有した件"))
    _as(client, cast, "vendor_pm")
    listing = _text(client.get(reverse("grayzone:portal_list", args=[cast.own.pk])))
    assert "共有した件" in listing and "社内だけの件" not in listing and 'data-unowned="1"' in listing
    assert "Preview: this is what the customer sees." in listing
    assert client.get(reverse("grayzone:portal_detail", args=[cast.own.pk, shared.pk])).status_code == 200
