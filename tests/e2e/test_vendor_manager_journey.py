"""The vendor manager's portfolio and trust dashboard in the browser (issue 10's journeys).

The manager lands on the portfolio, which lists every project of the vendor; narrows it to the projects whose
last weekly report is late or missing and back; opens the trust dashboard, where the drifting account is
flagged with the reasons; follows an indicator to its definition; and drills down to a project's indicators
and to the account's plan. (test_survey_journey.py checks the drifting flag and the account's trust page
after a new survey answer; this journey is the manager's round through the pages.)
"""

from __future__ import annotations

import re

import pytest

from shinrai.core.demo import PROJECTS

from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out
from .test_survey_journey import MANAGER

pytestmark = pytest.mark.e2e

DRIFTING = "株式会社みどりマート"
HEALTHY = "株式会社山田製作所"
DRIFTING_PROJECT = "MDR-2026-01"
ROWS = "table.data-table tbody tr"


def codes(page) -> list[str]:
    return page.locator(f"{ROWS} td.mono").all_inner_texts()


def manager_narrows_the_portfolio(page, live_server, screenshot) -> None:
    log_in(page, live_server, MANAGER)
    assert path_of(page, live_server) == "/portfolio/"
    assert codes(page) == sorted(p.code for p in PROJECTS)  # every project of the vendor, by code
    late = [row.locator("td.mono").inner_text() for row in page.locator(f"{ROWS}.report-late").all()]
    assert late, "the demo has a project whose last weekly report is late"
    assert DRIFTING_PROJECT in late
    screenshot("portfolio")

    page.get_by_role("link", name=japanese("Show only these"), exact=True).click()
    page.wait_for_load_state("load")
    assert path_of(page, live_server) == "/portfolio/?attention=1"
    assert codes(page) == late
    screenshot("portfolio-attention-only")
    page.get_by_role("link", name=japanese("Show all"), exact=True).click()
    page.wait_for_load_state("load")
    assert codes(page) == sorted(p.code for p in PROJECTS)


def manager_reads_the_trust_dashboard(page, live_server, screenshot) -> None:
    page.locator("nav.toolbar").get_by_role("link", name=japanese("Trust dashboard"), exact=True).click()
    page.wait_for_load_state("load")
    assert path_of(page, live_server) == "/trust/"
    assert japanese("Vendor only") in page.inner_text("main h1")
    accounts = page.locator("table.trust-accounts tbody tr")
    customers = {p.customer for p in PROJECTS}
    assert accounts.count() == len(customers)
    drifting = accounts.filter(has_text=DRIFTING)
    assert drifting.locator(".drifting-flag").count() == 1
    assert drifting.locator("td.warnings li").count() >= 1  # the reasons, not just a flag
    assert accounts.filter(has_text=HEALTHY).locator(".drifting-flag").count() == 0
    screenshot("trust-dashboard")

    # An indicator's column heading leads to its definition.
    heading = page.locator("table.trust-accounts thead th a").first
    name, href = heading.inner_text(), heading.get_attribute("href")
    anchor = href.split("#", 1)[1]
    heading.click()
    page.wait_for_load_state("load")
    assert path_of(page, live_server) == f"/trust/definitions/#{anchor}"
    definition = page.locator(f"dt[id='{anchor}']")
    assert name in definition.inner_text()
    assert definition.is_visible()
    assert page.evaluate(f"document.getElementById({anchor!r}).getBoundingClientRect().top") < 800
    screenshot("trust-definition")
    page.go_back()
    page.wait_for_load_state("load")


def manager_drills_down(page, live_server, screenshot) -> None:
    project_row = page.locator("table.trust-projects tbody tr", has_text=DRIFTING_PROJECT)
    project_row.get_by_role("link").first.click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/trust/", path_of(page, live_server))
    assert japanese("Vendor only") in page.inner_text("main h1")
    assert page.locator("#warnings-heading").count() == 1
    screenshot("trust-project")

    page.locator("nav.main-nav").get_by_role("link", name=japanese("Accounts"), exact=True).click()
    page.wait_for_load_state("load")
    assert path_of(page, live_server) == "/customers/"
    page.get_by_role("link", name=DRIFTING).first.click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/customers/\d+/", path_of(page, live_server))
    assert DRIFTING in page.inner_text("main h1")
    screenshot("account")


def test_vendor_manager_portfolio_and_trust_dashboard(
    page, live_server, demo_data, console_errors, screenshot
):
    manager_narrows_the_portfolio(page, live_server, screenshot)
    manager_reads_the_trust_dashboard(page, live_server, screenshot)
    manager_drills_down(page, live_server, screenshot)
    log_out(page)
    assert console_errors == []
