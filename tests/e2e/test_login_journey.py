"""First browser journey: log in through the real form and land where your work is."""

from __future__ import annotations

import pytest
from django.utils import translation

from shinrai.core.demo import DEMO_PASSWORD, PROJECTS, USERS

pytestmark = pytest.mark.e2e

CUSTOMER = "sponsor@yamada-mfg.example.jp"
VENDOR_PM = "pm@sample-systems.example.jp"
YAMADA = "株式会社山田製作所"


def log_in(page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("form.form-stack button[type=submit]")
    page.wait_for_load_state("load")


def japanese(text: str) -> str:
    with translation.override("ja"):
        return translation.gettext(text)


def path_of(page, live_server) -> str:
    assert page.url.startswith(live_server.url), page.url
    return page.url[len(live_server.url) :]


def test_customer_logs_in_and_sees_only_their_projects(
    page, live_server, demo_data, console_errors, screenshot
):
    log_in(page, live_server, CUSTOMER)

    assert path_of(page, live_server) == "/portal/"
    assert page.get_attribute("html", "lang") == "ja"
    assert page.inner_text("main h1") == japanese("My projects")
    screenshot("customer-portal")

    cards = page.locator("ul.project-cards > li")
    own = [p for p in PROJECTS if p.customer == YAMADA]
    assert cards.count() == len(own)
    card_text = " ".join(cards.all_inner_texts())
    assert "生産管理システム刷新" in card_text
    for project in own:
        assert project.name in card_text

    html = page.content()
    for project in PROJECTS:
        # The vendor's internal notes are never sent to a customer, not even hidden in the markup.
        assert project.internal_note not in html, f"internal note of {project.code} leaked"
        if project.customer != YAMADA:
            assert project.name not in html, f"another customer's project {project.code} is shown"
            assert project.code not in html
    assert "ECサイトリニューアル" not in html

    # Customers have no portfolio link in the header.
    assert page.locator("nav.main-nav a[href='/portfolio/']").count() == 0

    assert console_errors == []


def test_vendor_pm_logs_in_and_sees_the_portfolio(page, live_server, demo_data, console_errors, screenshot):
    log_in(page, live_server, VENDOR_PM)

    assert path_of(page, live_server) == "/portfolio/"
    assert page.get_attribute("html", "lang") == "ja"
    assert page.inner_text("main h1") == japanese("Portfolio")
    screenshot("vendor-portfolio")

    table = page.locator("table.data-table")
    assert table.is_visible()
    assert table.locator("thead th").count() == 8  # with the latest report and its punctuality
    codes = table.locator("tbody tr td.mono").all_inner_texts()
    pm_projects = sorted(p.code for p in PROJECTS if any(email == VENDOR_PM for email, _role in p.members))
    assert codes == pm_projects  # ordered by code; only the PM's own projects
    body = table.locator("tbody").inner_text()
    assert "生産管理システム刷新" in body
    assert "ECサイトリニューアル" in body

    # The header shows who is signed in.
    pm = next(u for u in USERS if u.email == VENDOR_PM)
    assert pm.name in page.locator(".user-name").inner_text()

    assert console_errors == []
