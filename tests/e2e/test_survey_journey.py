"""Satisfaction surveys and the trust dashboard in the browser, end to end (issue 6's "Done when").

The vendor PM sends a pulse survey after a milestone; the customer sponsor answers through the e-mailed link
on a phone-sized screen without logging in (saving halfway and coming back first); the link cannot be used
twice; the project's results and trends show the new answer; the vendor manager's trust dashboard flags the
demo's drifting account.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from shinrai.surveys.models import Response, Survey

from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out
from .test_weekly_report_journey import PROJECT_CODE, PROJECT_NAME, SPONSOR, VENDOR_PM

pytestmark = pytest.mark.e2e

MANAGER = "manager@sample-systems.example.jp"
TITLE = "結合テスト準備についてのパルス調査"
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"https?://[^/\s]+(/s/[A-Za-z0-9_-]+/)")


def pm_sends_a_pulse_survey(page, live_server) -> None:
    log_in(page, live_server, VENDOR_PM)
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    assert PROJECT_NAME in page.inner_text("main h1")
    page.get_by_role("link", name=japanese("Satisfaction surveys"), exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("New survey"), exact=True).click()
    page.wait_for_load_state("load")
    pulse = page.locator("#id_template option", has_text="Pulse survey").get_attribute("value")
    page.select_option("#id_template", pulse)
    page.select_option("#id_kind", "pulse")
    page.select_option("#id_milestone", label=page.locator("#id_milestone option").nth(1).inner_text())
    page.fill("#id_title", TITLE)
    page.get_by_label(re.compile(re.escape(SPONSOR))).check()
    mail.outbox.clear()
    page.get_by_role("button", name=japanese("Send the survey"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/surveys/\d+/", path_of(page, live_server))
    assert TITLE in page.inner_text("main")
    log_out(page)


def the_emailed_link(to: str) -> str:
    [message] = [m for m in mail.outbox if to in m.to]
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def sponsor_answers_on_a_phone(browser, live_server, link: str, screenshot_dir) -> None:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=PHONE, is_mobile=True)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    try:
        phone.goto(live_server.url + link)
        assert "/accounts/login/" not in phone.url  # no account needed
        fits = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        assert phone.evaluate(fits), "the survey must not scroll sideways on a phone"
        phone.click("label[for=q-B1-4]")
        phone.click("label[for=q-B2-5]")
        phone.get_by_role("button", name=japanese("Save and continue later"), exact=True).click()
        phone.wait_for_load_state("load")
        phone.goto(live_server.url + link)  # later, from the same e-mail
        assert phone.is_checked("#q-B1-4") and phone.is_checked("#q-B2-5")
        phone.click("label[for=q-C1-4]")
        phone.click("label[for=q-NPS-9]")
        phone.fill("#q-COMMENT", "説明が丁寧で安心できました。")
        phone.screenshot(path=str(screenshot_dir / "survey-answer-phone.png"), full_page=True)
        phone.get_by_role("button", name=japanese("Submit my answers"), exact=True).click()
        phone.wait_for_load_state("load")
        assert phone.locator("[data-thanks]").count() == 1
        replay = phone.goto(live_server.url + link)
        assert replay.status == 410  # one response per link
    finally:
        context.close()


def pm_sees_the_results(page, live_server) -> None:
    log_in(page, live_server, VENDOR_PM)
    survey = Survey.objects.get(title=TITLE)
    page.goto(f"{live_server.url}/projects/{survey.project_id}/surveys/")
    page.get_by_role("link", name=japanese("Results and trends"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/surveys/results/", path_of(page, live_server))
    assert TITLE in page.inner_text("main")
    assert "説明が丁寧で安心できました。" in page.inner_text("main")
    log_out(page)


def manager_sees_the_drifting_account(page, live_server, screenshot) -> None:
    log_in(page, live_server, MANAGER)
    page.locator("nav.main-nav").get_by_role("link", name=japanese("Trust"), exact=True).click()
    page.wait_for_load_state("load")
    assert path_of(page, live_server) == "/trust/"
    row = page.locator("table.trust-accounts tbody tr", has_text="株式会社みどりマート")
    assert row.locator(".drifting-flag").count() == 1
    partner = page.locator("table.trust-accounts tbody tr", has_text="株式会社山田製作所")
    assert partner.locator(".drifting-flag").count() == 0
    screenshot("trust-dashboard")
    row.get_by_role("link", name="株式会社みどりマート").click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/trust/customers/\d+/", path_of(page, live_server))
    assert page.locator(".drifting-flag").count() >= 1


def test_a_survey_from_sending_to_answer_results_and_the_dashboard(
    browser, page, live_server, demo_data, console_errors, screenshot, tmp_path
):
    pm_sends_a_pulse_survey(page, live_server)
    link = the_emailed_link(SPONSOR)
    sponsor_answers_on_a_phone(browser, live_server, link, screenshot("after-sending").parent)
    response = Response.objects.get(survey__title=TITLE)
    assert response.respondent.email == SPONSOR and response.nps == 9
    assert response.score_emotional == 4.5  # B2 5 and C1 4, the pulse template's emotional questions
    pm_sees_the_results(page, live_server)
    manager_sees_the_drifting_account(page, live_server, screenshot)
    assert console_errors == []
