"""The partnership pages: the check page (trend, facts, both sides, suggestions), recording and changing a
check (a stale save answers 409 with the conflict view), the account page's section, and who gets 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinrai.core.locking import token
from shinrai.ledger.models import CustomerRequest
from shinrai.partnership.models import Assessment

from .conftest import SCORES, at, make_check

pytestmark = pytest.mark.django_db


def _login(client, cast, role):
    client.force_login(cast.users[role])


def _check_url(customer):
    return reverse("partnership:check", args=[customer.pk])


def _form(period="2026-3", **overrides) -> dict:
    data = {"period": period, "assessed_on": "2026-11-24", "notes": "全体として良好"}
    data |= {code: str(score) for code, score in SCORES.items()}
    data |= {f"{code}_note": "" for code in SCORES}
    return data | overrides


def test_the_check_page_shows_the_trend_and_the_latest_notes(client, cast, clock):
    make_check(cast, quarter=1, decisions=4)
    make_check(cast, quarter=2, decisions=2, decisions_note="部長の判断待ちが続いた")
    _login(client, cast, "vendor_pm")
    response = client.get(_check_url(cast.customer))
    assert response.status_code == 200
    body = response.content.decode()
    assert "FY2026 Q1" in body and "FY2026 Q2" in body
    assert '<figure class="chart" id="trend-chart"><svg' in body
    assert "部長の判断待ちが続いた" in body
    assert "(-0.4)" in body  # overall 4.0 → 3.6
    # Decisions scored 2: the conversation about how decisions are made is suggested.
    assert "Ask the sponsor how decisions are made on their side" in body
    assert "Record a partnership check" in body  # nothing for FY2026 Q3 (this quarter) yet


def test_the_check_page_lists_the_facts_with_links(client, cast, clock):
    CustomerRequest.objects.create(
        project=cast.own,
        title="明日までに見積",
        due_at=at(2026, 11, 24, 12),
        requested_by=cast.users["customer_sponsor"],
        created_at=at(2026, 11, 20, 17),
    )
    _login(client, cast, "vendor_manager")
    body = client.get(_check_url(cast.customer)).content.decode()
    request = CustomerRequest.objects.get()
    assert f'href="/projects/{cast.own.pk}/requests/#request-{request.pk}"' in body
    assert "1 of 1" in body


def test_recording_a_check(client, cast, clock):
    _login(client, cast, "vendor_pm")
    url = reverse("partnership:new", args=[cast.customer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(decisions="2", decisions_note="判断が遅い"))
    assert response.status_code == 302
    assert response["Location"] == _check_url(cast.customer)
    check = Assessment.objects.get()
    assert (check.fiscal_year, check.quarter, check.decisions, check.decisions_note) == (
        2026,
        3,
        2,
        "判断が遅い",
    )
    assert check.assessed_by == cast.users["vendor_pm"]
    # The same quarter again: refused on the form, nothing written.
    again = client.post(url, _form())
    assert again.status_code == 200
    assert "FY2026 Q3 already has a partnership check: change that one." in again.content.decode()
    assert Assessment.objects.count() == 1


def test_a_quarter_outside_the_choices_is_refused(client, cast, clock):
    _login(client, cast, "vendor_pm")
    response = client.post(reverse("partnership:new", args=[cast.customer.pk]), _form(period="2027-1"))
    assert response.status_code == 200
    assert not Assessment.objects.exists()


def test_changing_a_check_and_a_stale_save(client, cast, clock):
    check = make_check(cast)
    _login(client, cast, "vendor_pm")
    url = reverse("partnership:edit", args=[cast.customer.pk, check.pk])
    loaded = token(check)
    data = _form(lock=loaded, decisions="1")
    del data["period"]
    clock.set(2026, 11, 24, 10, 30)
    assert client.post(url, data).status_code == 302
    check.refresh_from_db()
    assert check.decisions == 1
    # A second save from the page loaded before the first: 409, the conflict view, nothing written.
    clock.set(2026, 11, 24, 11, 0)
    stale = client.post(url, data | {"decisions": "5", "notes": "上書き"})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert 'id="conflict"' in body and "上書き" in body
    check.refresh_from_db()
    assert (check.decisions, check.notes) == (1, "全体として良好")


@pytest.mark.parametrize(
    "role",
    ["vendor_member", "customer_sponsor", "customer_member", "partner_viewer", "outsider_customer"],
)
def test_everyone_but_the_keepers_gets_404(client, cast, clock, role):
    check = make_check(cast)
    _login(client, cast, role)
    for url in (
        _check_url(cast.customer),
        reverse("partnership:new", args=[cast.customer.pk]),
        reverse("partnership:edit", args=[cast.customer.pk, check.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("partnership:new", args=[cast.customer.pk]), _form()).status_code == 404
    assert Assessment.objects.count() == 1


def test_another_vendor_never_reaches_our_checks(client, cast, clock):
    check = make_check(cast)
    _login(client, cast, "other_vendor_manager")  # keeps its own account of the same customer C1
    body = client.get(_check_url(cast.customer)).content.decode()
    assert "FY2026 Q2" not in body
    edit = reverse("partnership:edit", args=[cast.customer.pk, check.pk])
    assert client.get(edit).status_code == 404


def test_the_account_page_shows_both_sides_to_the_keepers_only(client, cast, clock):
    make_check(cast, equal_partner=1)
    detail = reverse("accounts:detail", args=[cast.customer.pk])
    _login(client, cast, "vendor_manager")
    body = client.get(detail).content.decode()
    assert 'id="partnership"' in body
    assert "Latest check: FY2026 Q2, 3.2 of 5." in body
    assert "Ask the sponsor for a conversation about how we work together" in body
    assert f'href="{_check_url(cast.customer)}"' in body
    _login(client, cast, "vendor_member")  # sees the account, not how we rate the customer
    body = client.get(detail).content.decode()
    assert client.get(detail).status_code == 200
    assert 'id="partnership"' not in body and "Latest check" not in body
