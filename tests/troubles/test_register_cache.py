"""The register's rows come from the cache only while nothing they show has changed (register_cache.py).

The clock is pinned: every write happens at the same instant, so only the fingerprint's other parts (the
version, the rows, the owner's name, the overdue rows) can tell the cached rows from the current ones.
"""

import pytest
from django.urls import reverse

from shinrai.core.models import User, Visibility
from shinrai.troubles import register_cache, services
from shinrai.troubles.models import Trouble

from .conftest import at, disclose, make_trouble

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(client, cast, clock):
    """The register page's rows as the vendor PM reads them (a function: the HTML of one view)."""
    client.force_login(cast.users["vendor_pm"])
    url = reverse("troubles:register", args=[cast.own.pk])

    def view(**filters) -> str:
        response = client.get(url, filters)
        assert response.status_code == 200
        html = response.content.decode()
        return html[html.index("<tbody>") : html.index("</tbody>")]

    return view


def _edit(cast, trouble, **fields):
    return services.trouble_update(
        by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version, **fields
    )


def test_a_repeat_view_is_served_from_the_cache(register, cast, django_assert_num_queries):
    make_trouble(cast, title="夜間バッチが停止", owner=cast.users["vendor_member"])
    first = register()
    page = register_cache.register_page(user=cast.users["vendor_pm"], project=cast.own)
    assert page.rows_html.strip() in first
    with django_assert_num_queries(1):  # the fingerprint only
        register_cache.register_page(user=cast.users["vendor_pm"], project=cast.own)


def test_a_new_trouble_shows_on_the_next_view(register, cast):
    make_trouble(cast, title="一件目")
    assert "一件目" in register()
    make_trouble(cast, title="二件目")
    assert "二件目" in register()


def test_an_edit_shows_on_the_next_view(register, cast):
    trouble = make_trouble(cast, title="古い件名", cost_impact=100_000)
    before = register()
    assert "古い件名" in before and "¥100,000" in before
    _edit(cast, trouble, title="新しい件名", cost_impact=250_000)
    after = register()
    assert "新しい件名" in after and "古い件名" not in after
    assert "¥250,000" in after and "¥100,000" not in after


def test_a_new_owner_shows_on_the_next_view(register, cast):
    trouble = make_trouble(cast, owner=cast.users["vendor_member"])
    member, pm = cast.users["vendor_member"].display_name, cast.users["vendor_pm"].display_name
    assert member in register()
    _edit(cast, trouble, owner=cast.users["vendor_pm"])
    rows = register()
    assert pm in rows and member not in rows


def test_a_renamed_owner_shows_on_the_next_view(register, cast):
    owner = cast.users["vendor_member"]
    make_trouble(cast, owner=owner)
    assert owner.display_name in register()
    # Users have no change stamp: a rename (admin site, directory sync) touches only the user row.
    User.objects.filter(pk=owner.pk).update(display_name="改名後の担当者")
    rows = register()
    assert "改名後の担当者" in rows and owner.display_name not in rows


def test_a_disclosure_shows_on_the_next_view(register, cast):
    trouble = make_trouble(cast)
    assert "Vendor only" in register()
    disclose(cast, trouble)
    assert "Vendor only" not in register()


def test_a_status_change_shows_on_the_next_view_and_in_the_filter(register, cast):
    trouble = make_trouble(cast, title="分析する件")
    assert "Open" in register() and "分析する件" not in register(status="analysing")
    services.trouble_start_analysis(by=cast.users["vendor_pm"], trouble=trouble, version=trouble.version)
    assert "Analysing" in register()
    assert "分析する件" in register(status="analysing")


def test_a_deleted_trouble_leaves_the_next_view(register, cast):
    make_trouble(cast, title="残る件")
    gone = make_trouble(cast, title="消える件")
    assert "消える件" in register()
    Trouble.objects.filter(pk=gone.pk).delete()
    rows = register()
    assert "消える件" not in rows and "残る件" in rows


def test_customers_and_partners_never_get_the_vendors_rows(register, cast):
    make_trouble(cast, title="社内だけの件")
    disclose(cast, make_trouble(cast, title="お客様と共有した件"))
    disclose(cast, make_trouble(cast, title="パートナーとも共有した件"), visibility=Visibility.PARTNERS)
    vendor = register()
    assert "社内だけの件" in vendor and "お客様と共有した件" in vendor

    def rows(role):
        return register_cache.register_page(user=cast.users[role], project=cast.own).rows_html

    customer = rows("customer_member")
    assert "社内だけの件" not in customer and "お客様と共有した件" in customer
    partner = rows("partner_viewer")
    assert "パートナーとも共有した件" in partner
    assert "社内だけの件" not in partner and "お客様と共有した件" not in partner


def test_the_register_page_itself_stays_closed_to_customers_after_a_vendor_view(register, client, cast):
    make_trouble(cast, title="社内だけの件")
    assert "社内だけの件" in register()
    client.force_login(cast.users["customer_member"])
    assert client.get(reverse("troubles:register", args=[cast.own.pk])).status_code == 404


def test_a_passing_target_shows_as_overdue_without_any_write(register, client, cast, clock):
    clock.set(2026, 11, 20, 12, 0)
    # high: 24 h to disclose, so due 11/21 10:00
    make_trouble(cast, severity="high", detected=at(2026, 11, 20, 10, 0), title="期限が来る件")
    clock.set(2026, 11, 21, 9, 59)
    rows = register()
    assert "due by" in rows and "overdue" not in rows
    page = client.get(reverse("troubles:register", args=[cast.own.pk])).content.decode()
    assert '<strong class="warning">' not in page
    clock.set(2026, 11, 21, 10, 1)
    rows = register()
    assert "warning overdue" in rows and "due by" not in rows
    page = client.get(reverse("troubles:register", args=[cast.own.pk])).content.decode()
    assert '<strong class="warning">1</strong>' in page  # "Not yet told, past the target"
