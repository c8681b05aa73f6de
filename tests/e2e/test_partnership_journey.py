"""The partnership check in the browser (issue 11's "Done when": the vendor manager sees the partnership trend
for an account in the demo data; customers never reach it).

The vendor manager opens the manufacturer's account, reads both sides of the relationship and the suggested
conversation on the account page, opens the partnership check with the demo's four past quarters (trend chart
and table), and records this quarter's check. The customer sponsor of that account then gets 404 on the
check's URL.
"""

from __future__ import annotations

import re

import pytest

from shinrai.core.models import Organization
from shinrai.partnership.models import Assessment

from .a11y import failing, run_axe
from .test_accessibility import FITS
from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out

pytestmark = pytest.mark.e2e

MANAGER = "manager@sample-systems.example.jp"
SPONSOR = "sponsor@yamada-mfg.example.jp"
ACCOUNT = "株式会社山田製作所"
NOTE = "障害対応の判断が早くなった。定例で判断期限を決めたのが効いている。"


def accessible(page) -> None:
    """No serious or critical axe finding, and no sideways scrolling in the 1280 px window."""
    assert [str(v) for v in failing(run_axe(page))] == [], page.url
    assert page.evaluate(FITS), page.url


def manager_reads_the_trend(page, live_server, screenshot) -> int:
    log_in(page, live_server, MANAGER)
    page.locator("nav.main-nav").get_by_role("link", name=japanese("Accounts"), exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=ACCOUNT).first.click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/customers/\d+/", path_of(page, live_server))
    section = page.locator("section#partnership")
    assert japanese("Partnership") in section.inner_text()
    # The demo's decisions fell to 2 of 5: the conversation about how decisions are made is suggested.
    assert japanese(
        "Ask the sponsor how decisions are made on their side, and who decides when they are away."
    ) in (section.inner_text())
    accessible(page)
    screenshot("account-partnership")

    section.get_by_role("link", name=japanese("Open the partnership check")).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/customers/\d+/partnership/", path_of(page, live_server))
    assert page.locator("#trend-chart svg").count() == 1
    assert page.locator("#trend-table tbody tr").count() == 4  # the four quarters before this one
    assert page.locator("#facts").count() == 1
    accessible(page)
    screenshot("partnership-trend")
    return int(path_of(page, live_server).split("/")[2])


def manager_records_this_quarter(page, live_server, screenshot) -> None:
    page.get_by_role("link", name=japanese("Record a partnership check")).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/customers/\d+/partnership/new/", path_of(page, live_server))
    accessible(page)
    for code, value in (("own_part", 4), ("decisions", 4), ("equal_partner", 5), ("learns", 4), ("scope", 4)):
        page.check(f"#id_{code}_{value - 1}")  # the choices run 1 … 5
    page.fill("#id_decisions_note", NOTE)
    page.get_by_role("button", name=japanese("Save"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/customers/\d+/partnership/", path_of(page, live_server))
    assert japanese("The partnership check was recorded.") in page.inner_text("ul.messages")
    assert page.locator("#trend-table tbody tr").count() == 5
    assert NOTE in page.inner_text("#latest")
    screenshot("partnership-recorded")
    log_out(page)


def sponsor_gets_not_found(page, live_server, customer_id: int, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    response = page.goto(f"{live_server.url}/customers/{customer_id}/partnership/")
    assert response is not None and response.status == 404
    assert NOTE not in page.content()
    screenshot("sponsor-not-found")
    log_out(page)


def test_the_manager_sees_the_partnership_trend_and_the_customer_never_does(
    page, live_server, demo_data, console_errors, screenshot
):
    customer_id = manager_reads_the_trend(page, live_server, screenshot)
    assert Organization.objects.get(pk=customer_id).name == ACCOUNT
    manager_records_this_quarter(page, live_server, screenshot)
    sponsor_gets_not_found(page, live_server, customer_id, screenshot)

    latest = (
        Assessment.objects.filter(customer_org_id=customer_id).order_by("-fiscal_year", "-quarter").first()
    )
    assert (latest.decisions, latest.decisions_note, latest.assessed_by.email) == (4, NOTE, MANAGER)
    assert Assessment.objects.filter(customer_org_id=customer_id).count() == 5
    # The 404 page's own load is the browser's only complaint.
    assert [e for e in console_errors if "404" not in e] == []
