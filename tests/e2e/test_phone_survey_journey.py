"""A satisfaction survey answered in the portal on a phone, with touch (issue 10's journeys).

After delivery the PM sends the full post-delivery survey (categories A-D, NPS, free text). A customer
member signs in on a 390 x 844 touch screen, finds the survey on the project page, taps through the answers,
skips one question by mistake and is told which one (with the other answers kept), taps it and submits. No
page on the way scrolls sideways, every answer button is at least 44 x 44 CSS pixels (WCAG 2.5.5), and
axe-core finds no serious violation on the form with its error shown. (test_survey_journey.py covers the
e-mailed link without an account, saving halfway and the results.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shinrai.core.demo import DEMO_PASSWORD
from shinrai.core.models import Project, User
from shinrai.surveys import services as survey_services
from shinrai.surveys.defaults import POST_DELIVERY_LINEAGE
from shinrai.surveys.models import Response, SurveyTemplate

from .a11y import failing, run_axe
from .conftest import TIMEOUT_MS
from .test_login_journey import japanese
from .test_survey_journey import PHONE
from .test_weekly_report_journey import PROJECT_CODE, PROJECT_NAME, VENDOR_PM

pytestmark = pytest.mark.e2e

MEMBER = "staff@yamada-mfg.example.jp"
TITLE = "納品後アンケート（製造・単体テスト）"
LIKERT = ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "D1", "D2", "D3")
ANSWERS = {code: 4 for code in LIKERT} | {"B2": 5, "D2": 3}
SKIPPED = "C2"  # forgotten on the first try
COMMENT = "現場の意見を聞いてもらえて助かりました。"
FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def send_the_survey() -> None:
    """What the PM does on the survey page (test_survey_journey.py does it in the browser)."""
    project = Project.objects.get(code=PROJECT_CODE)
    survey_services.survey_send(
        by=User.objects.get(email=VENDOR_PM),
        project=project,
        template=SurveyTemplate.objects.get(lineage=POST_DELIVERY_LINEAGE, is_current=True),
        kind="post_delivery",
        title=TITLE,
        answer_until=timezone.localdate() + timedelta(days=14),
        recipients=[User.objects.get(email=MEMBER)],
    )


def tap(phone, selector: str) -> None:
    target = phone.locator(selector)
    target.scroll_into_view_if_needed()
    target.tap()


def tap_and_load(phone, target) -> None:
    """Tap a link or a submit button and wait for the page it leads to (a tap does not wait by itself)."""
    with phone.expect_navigation():
        (phone.locator(target) if isinstance(target, str) else target).tap()
    phone.wait_for_load_state("load")


def assert_fits(phone, where: str) -> None:
    assert phone.evaluate(FITS), f"{where} scrolls sideways on a phone"


def small_tap_targets(phone) -> list[str]:
    sizes = phone.eval_on_selector_all(
        ".survey-likert label, .survey-nps label, .survey-actions button",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [e.getAttribute('for') || e.innerText.trim(), r.width, r.height]; })",
    )
    assert len(sizes) == 12 * 5 + 11 + 2
    return [f"{name}: {w:.0f}x{h:.0f}" for name, w, h in sizes if w < 44 or h < 44]


def test_a_survey_answered_on_a_phone_with_touch(browser, live_server, demo_data, console_errors, screenshot):
    send_the_survey()
    context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    phone.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    try:
        phone.goto(f"{live_server.url}/accounts/login/")
        assert_fits(phone, "the log-in page")
        phone.fill("#id_username", MEMBER)
        phone.fill("#id_password", DEMO_PASSWORD)
        tap_and_load(phone, "form.form-stack button[type=submit]")
        assert_fits(phone, "the portal")
        tap_and_load(phone, phone.get_by_role("link", name=PROJECT_NAME).first)
        assert_fits(phone, "the project page")
        card = phone.locator("#survey-card")
        assert TITLE in card.inner_text()
        screenshot("project-page-survey-card", of=phone)
        tap_and_load(phone, card.get_by_role("link", name=japanese("Answer now"), exact=True))
        assert TITLE in phone.inner_text("main h1")
        assert_fits(phone, "the survey")
        assert small_tap_targets(phone) == []

        for code, value in ANSWERS.items():
            if code != SKIPPED:
                tap(phone, f"label[for=q-{code}-{value}]")
        tap(phone, "label[for=q-NPS-8]")
        phone.locator("#q-COMMENT").fill(COMMENT)
        screenshot("survey-answered-but-one", of=phone, full_page=False)
        tap_and_load(phone, "button[name=action][value=submit]")

        # Refused: the one forgotten question is pointed out; everything else is still ticked.
        assert phone.locator("[data-thanks]").count() == 0
        assert phone.locator("#form-errors").is_visible()
        assert phone.locator(".survey-question.has-error").count() == 1
        assert phone.locator(f"#question-{SKIPPED}.has-error [role=alert]").count() == 1
        assert phone.is_checked(f"#q-B2-{ANSWERS['B2']}") and phone.is_checked("#q-NPS-8")
        assert phone.input_value("#q-COMMENT") == COMMENT
        assert_fits(phone, "the survey with an error")
        serious = failing(run_axe(phone))
        assert serious == [], "\n".join(map(str, serious))
        screenshot("survey-error-summary", of=phone, full_page=False)
        phone.locator(f"#question-{SKIPPED}").scroll_into_view_if_needed()
        screenshot("survey-one-question-missing", of=phone, full_page=False)

        tap(phone, f"label[for=q-{SKIPPED}-{ANSWERS[SKIPPED]}]")
        tap_and_load(phone, "button[name=action][value=submit]")
        assert phone.locator("[data-thanks]").count() == 1
        assert_fits(phone, "the thank-you page")
        screenshot("survey-thanks", of=phone)
    finally:
        context.close()

    response = Response.objects.get(survey__title=TITLE)
    assert response.respondent.email == MEMBER
    assert response.nps == 8
    answers = {answer.question.code: answer for answer in response.answers.select_related("question")}
    assert {code: answers[code].score for code in LIKERT} == ANSWERS
    assert answers["COMMENT"].text == COMMENT
    assert console_errors == []
