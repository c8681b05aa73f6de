"""Similar past troubles: closed troubles of the same vendor's other projects, for vendor roles only, and
only from projects the user may open."""

import pytest
from django.urls import reverse

from shinrai.core.models import Role
from shinrai.troubles import selectors
from shinrai.troubles.models import Trouble

from ..factories import ProjectMemberFactory
from .conftest import make_trouble, proposed

pytestmark = pytest.mark.django_db


def _closed(cast, project, by, title, facts, root_cause):
    trouble = make_trouble(cast, project=project, by=by, title=title, facts=facts)
    Trouble.objects.filter(pk=trouble.pk).update(status="closed")
    trouble.refresh_from_db()
    from shinrai.troubles.models import Prevention, RootCause

    RootCause.objects.create(trouble=trouble, summary=root_cause, whys=[])
    Prevention.objects.create(trouble=trouble, measure="再接続処理を共通化")
    return trouble


def test_similarity_of_japanese_text_by_character_bigrams():
    # 「夜間バッチ停止」: 夜間 間バ バッ ッチ チ停 停止 (6 bigrams)
    # 「夜間バッチが停止」: 夜間 間バ バッ ッチ チが が停 停止 (7 bigrams)
    # 5 shared of 8 distinct → 0.625.
    assert selectors.similarity("夜間バッチ停止", "夜間バッチが停止") == 0.625
    assert selectors.similarity("夜間バッチ停止", "請求書の金額誤り") == 0.0
    assert selectors.similarity("ＡＢＣ", "abc") == 1.0  # full-width and case do not matter


def test_the_vendor_manager_sees_similar_closed_troubles_of_other_projects(client, cast):
    past = _closed(
        cast,
        cast.other,
        "vendor_manager",
        "夜間バッチが停止",
        "DB接続が切れて夜間バッチが停止した",
        "再接続処理がない",
    )
    _closed(cast, cast.other, "vendor_manager", "請求書の金額誤り", "税率の設定誤り", "設定の確認漏れ")
    foreign = _closed(
        cast, cast.foreign, "other_vendor_manager", "夜間バッチが停止", "夜間バッチが停止した", "他社の原因"
    )
    new = make_trouble(cast, title="夜間バッチ停止", facts="夜間バッチがDB接続断で停止")
    found = selectors.similar_troubles(user=cast.users["vendor_manager"], trouble=new)
    assert [t for _score, t in found] == [past]  # not the unrelated one, never another vendor's
    client.force_login(cast.users["vendor_manager"])
    page = client.get(reverse("troubles:detail", args=[cast.own.pk, new.pk])).content.decode()
    assert "再接続処理がない" in page and "他社の原因" not in page
    assert foreign.pk not in [t.pk for _s, t in found]


def test_a_pm_sees_only_projects_they_belong_to_and_customers_never(client, cast):
    _closed(cast, cast.other, "vendor_manager", "夜間バッチが停止", "夜間バッチが停止した", "他顧客の原因")
    new = make_trouble(cast, title="夜間バッチ停止", facts="夜間バッチが停止")
    pm = cast.users["vendor_pm"]
    assert selectors.similar_troubles(user=pm, trouble=new) == []  # not a member of the other project
    ProjectMemberFactory(project=cast.other, user=pm, role=Role.VENDOR_PM)
    assert len(selectors.similar_troubles(user=pm, trouble=new)) == 1
    for role in ("customer_sponsor", "partner_viewer", "outsider_customer"):
        assert selectors.similar_troubles(user=cast.users[role], trouble=new) == []
    # The customer's own portal page of a disclosed trouble never shows suggestions.
    proposed(cast, new, options=1)
    client.force_login(cast.users["customer_sponsor"])
    page = client.get(reverse("troubles:portal_detail", args=[cast.own.pk, new.pk])).content.decode()
    assert "他顧客の原因" not in page
