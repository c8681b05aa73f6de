"""Switching between Japanese and English in the browser, and the choice being kept (issue 10's journeys).

Signed in, the choice is kept on the account: a customer switches to English in the header, stays in English
from page to page, and finds English again after logging in from another browser; switching back to Japanese
is kept the same way. Not signed in, the choice is kept in a cookie: the log-in page stays in the language
chosen, across reloads and after logging out.
"""

from __future__ import annotations

import pytest

from shinrai.core.models import User

from .conftest import TIMEOUT_MS
from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out
from .test_weekly_report_journey import PROJECT_NAME

pytestmark = pytest.mark.e2e

MEMBER = "staff@yamada-mfg.example.jp"  # a customer member (field staff), Japanese by default


def switch_to(page, language: str) -> None:
    """Choose a language in the header; the menu submits itself (app.js) and the same page comes back."""
    before = page.url
    with page.expect_navigation():
        page.select_option("#language-select", language)
    page.wait_for_load_state("load")
    assert page.url == before
    assert page.get_attribute("html", "lang") == language


def assert_english(page, h1: str) -> None:
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("main h1") == h1
    assert page.locator("#language-select").input_value() == "en"


def new_japanese_browser(browser):
    context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_the_language_switch_is_kept_on_the_account_and_in_a_cookie(
    browser, page, live_server, demo_data, console_errors, screenshot
):
    # Not signed in: the choice on the log-in page survives a reload (the cookie) and goes both ways.
    anonymous = new_japanese_browser(browser)
    try:
        visitor = anonymous.new_page()
        visitor.goto(f"{live_server.url}/accounts/login/")
        assert visitor.get_attribute("html", "lang") == "ja"  # the browser's language
        switch_to(visitor, "en")
        visitor.reload()
        assert_english(visitor, "Log in to Shinrai")
        screenshot("login-english", of=visitor)
        switch_to(visitor, "ja")
        visitor.reload()
        assert visitor.get_attribute("html", "lang") == "ja"
        assert visitor.inner_text("main h1") == japanese("Log in to Shinrai")
    finally:
        anonymous.close()

    # Signed in: Japanese first (the account's default), English after the switch, page after page.
    log_in(page, live_server, MEMBER)
    assert path_of(page, live_server) == "/portal/"
    assert page.inner_text("main h1") == japanese("My projects")
    switch_to(page, "en")
    assert_english(page, "My projects")
    assert page.locator("nav.main-nav").inner_text().strip() == "My projects"
    screenshot("portal-english")
    page.get_by_role("link", name=PROJECT_NAME).first.click()
    page.wait_for_load_state("load")
    assert page.get_attribute("html", "lang") == "en"
    assert "At a glance" in page.inner_text("main")
    assert User.objects.get(email=MEMBER).language == "en"

    # Logged out, this browser keeps English (the cookie) ...
    log_out(page)
    assert path_of(page, live_server).startswith("/accounts/login/")
    assert_english(page, "Log in to Shinrai")
    screenshot("login-english-after-logout")

    # ... and another browser, Japanese and without cookies, gets English after logging in (the account).
    other = new_japanese_browser(browser)
    try:
        second = other.new_page()
        second.goto(f"{live_server.url}/accounts/login/")
        assert second.get_attribute("html", "lang") == "ja"  # nobody known yet: the browser's language
        log_in(second, live_server, MEMBER)
        assert_english(second, "My projects")
        screenshot("portal-english-other-browser", of=second)

        # Back to Japanese there ...
        switch_to(second, "ja")
        assert second.inner_text("main h1") == japanese("My projects")
        screenshot("portal-japanese-again", of=second)
    finally:
        other.close()
    assert User.objects.get(email=MEMBER).language == "ja"

    # ... which the first browser gets at the next log-in: once signed in, the account wins over the cookie.
    log_in(page, live_server, MEMBER)
    assert page.get_attribute("html", "lang") == "ja"
    assert page.inner_text("main h1") == japanese("My projects")
    log_out(page)
    assert console_errors == []
