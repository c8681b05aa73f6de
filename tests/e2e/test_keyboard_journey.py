"""The customer's main pages with the keyboard only: Tab, Shift+Tab and Enter (issue 10's journeys).

The customer sponsor logs in, goes from the portal to the project, to the latest weekly report and
acknowledges it without touching the mouse. On every page the first Tab shows the "Skip to content" link,
which takes the next Tab into the page's main content; every element the focus lands on is on screen and
shows a focus outline with at least 3:1 contrast against what is behind it (tests/e2e/a11y.py).
"""

from __future__ import annotations

import re

import pytest

from shinrai.core.demo import DEMO_PASSWORD

from .a11y import focus_problem, focused, tab_until
from .test_login_journey import japanese, path_of
from .test_weekly_report_journey import PROJECT_NAME, SPONSOR

pytestmark = pytest.mark.e2e

PROJECT_LINK = re.compile(r"/portal/projects/\d+/")
REPORT_LINK = re.compile(r"/portal/projects/\d+/reports/\d+/")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def skip_to_content(page, stops: list[dict], screenshot=None) -> None:
    """The first Tab of a page lands on the visible skip link; Enter on it puts the next Tab inside <main>."""
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip is not None and skip["href"] == "#main", skip
    assert skip["text"] == japanese("Skip to content")
    stops.append(skip)
    if screenshot is not None:
        screenshot("skip-link-shown", full_page=False)
    page.keyboard.press("Enter")
    first, _ = tab_until(page, lambda info: True, limit=1)
    assert first["inMain"], f"after the skip link the focus went to <{first['tag']}> {first['text']!r}"
    stops.append(first)


def test_customer_reaches_and_acknowledges_the_report_with_the_keyboard_only(
    page, live_server, demo_data, console_errors, screenshot
):
    stops: list[dict] = []

    # Log in: the e-mail field has the focus already; Tab to the password, Enter submits.
    page.goto(f"{live_server.url}/accounts/login/")
    assert focused(page)["id"] == "id_username"
    page.keyboard.type(SPONSOR)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type(DEMO_PASSWORD)
    stops.append(focused(page))
    press_enter_and_wait(page)
    assert path_of(page, live_server) == "/portal/"

    def is_the_project(info: dict) -> bool:
        return bool(PROJECT_LINK.fullmatch(info["href"] or "")) and info["text"] == PROJECT_NAME

    # Without the skip link, the project is this many Tabs away (the header comes first) ...
    _, through_header = tab_until(page, is_the_project)
    stops += through_header
    page.reload()
    # ... and with it, fewer.
    skip_to_content(page, stops, screenshot)
    screenshot("portal-first-stop-in-main", full_page=False)
    rest = [] if is_the_project(stops[-1]) else tab_until(page, is_the_project)[1]
    stops += rest
    assert 2 + len(rest) < len(through_header), (len(through_header), 2 + len(rest))
    screenshot("portal-project-link-focused")
    press_enter_and_wait(page)
    assert PROJECT_LINK.fullmatch(path_of(page, live_server))
    assert page.inner_text("main h1") == PROJECT_NAME

    # The project page: to the latest report.
    skip_to_content(page, stops)
    _, rest = tab_until(
        page,
        lambda info: (
            bool(REPORT_LINK.fullmatch(info["href"] or "")) and info["text"] == japanese("Read the report")
        ),
    )
    stops += rest
    screenshot("project-report-link-focused")
    press_enter_and_wait(page)
    assert REPORT_LINK.fullmatch(path_of(page, live_server))

    # The report: to the acknowledgement button, and Enter.
    skip_to_content(page, stops)
    _, rest = tab_until(
        page, lambda info: info["tag"] == "button" and info["text"] == japanese("I have read this report")
    )
    stops += rest
    screenshot("report-acknowledge-focused")
    press_enter_and_wait(page)
    acks = page.inner_text("section[aria-labelledby=ack-heading]")
    assert japanese("You have acknowledged this report.") in acks
    screenshot("report-acknowledged")

    # Shift+Tab walks back through the same page (no keyboard trap), to the skip link at the top.
    _, rest = tab_until(page, lambda info: info["href"] == "#main", backwards=True, limit=120)
    stops += rest

    problems = [problem for stop in stops if (problem := focus_problem(stop))]
    assert problems == [], "focus not clearly visible:\n" + "\n".join(problems)
    assert console_errors == []
