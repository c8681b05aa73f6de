"""Threat: a session or credential outlives the right it stood for — a forgotten browser, a stolen session id,
a person removed from a project or switched off, a session id planted before log-in.

ASVS 5.0 V7.2 (session binding: a new session at authentication, logout ends it), V7.3 (idle and absolute
timeouts), V7.4 (termination: deactivation ends every session and token at once), V8.2 (the access decision
is taken at every request, so a removed membership takes effect on the next one).

Token-authenticated API calls carry no session: they stop when the person is deactivated or the token is
revoked (tests/api/test_token_scope.py), and lose a project when the membership goes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from shinrai.core import calendar_feed, services
from shinrai.core.middleware import SessionTimeoutMiddleware
from shinrai.core.models import ProjectMember
from shinrai.progress import services as progress_services

from ..clock import clock  # noqa: F401  (fixture)
from ..factories import TEST_PASSWORD


def sign_in(email: str) -> Client:
    """A browser that logged in through the log-in form (not force_login), so the real path runs."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.status_code
    return browser


def signed_in(browser: Client) -> bool:
    response = browser.get(reverse("core:me"))
    assert response.status_code in {200, 302}, response.status_code
    return response.status_code == 200


def api_status(browser: Client, project) -> int:
    return browser.get(f"/api/v1/projects/{project.pk}").status_code


def later(clock, **delta) -> None:  # noqa: F811
    clock.at = clock.at + timedelta(**delta)


# --- idle and absolute timeouts -----------------------------------------------------------------------------


def test_idle_session_ends_after_the_idle_limit_and_its_key_is_gone(cast, clock, settings):  # noqa: F811
    settings.SESSION_IDLE_MINUTES = 30
    browser = sign_in("customer_sponsor@example.jp")
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    later(clock, minutes=29)
    assert signed_in(browser)
    assert api_status(browser, cast.own) == 200
    later(clock, minutes=31)
    assert api_status(browser, cast.own) == 401  # the API says so too, on the same stale cookie
    assert not signed_in(browser)
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie brought back later is no better.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get(reverse("core:portal")).status_code == 302


def test_activity_keeps_a_session_alive_past_the_idle_limit(cast, clock, settings):  # noqa: F811
    settings.SESSION_IDLE_MINUTES = 30
    browser = sign_in("vendor_pm@example.jp")
    for _ in range(9):  # three hours, a request every twenty minutes
        later(clock, minutes=20)
        assert signed_in(browser)


def test_session_ends_at_the_absolute_limit_even_when_busy(cast, clock, settings):  # noqa: F811
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_COOKIE_AGE = 4 * 3600
    browser = sign_in("vendor_pm@example.jp")
    for _ in range(11):  # 3 h 40 min of steady use
        later(clock, minutes=20)
        assert signed_in(browser)
    later(clock, minutes=21)  # 4 h 1 min after log-in, 21 min after the last request
    assert not signed_in(browser)


def test_busy_requests_do_not_each_write_the_session(cast, clock, settings):  # noqa: F811
    settings.SESSION_IDLE_MINUTES = 30
    browser = sign_in("vendor_pm@example.jp")
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value

    def stored():
        return Session.objects.get(session_key=key).get_decoded()[SessionTimeoutMiddleware.SEEN]

    first = stored()
    later(clock, seconds=30)
    assert signed_in(browser)
    assert stored() == first  # within a minute: no write
    later(clock, seconds=31)
    assert signed_in(browser)
    assert stored() == first + 61


def test_idle_limit_of_zero_switches_the_idle_check_off(cast, clock, settings):  # noqa: F811
    settings.SESSION_IDLE_MINUTES = 0
    browser = sign_in("vendor_pm@example.jp")
    later(clock, hours=5)
    assert signed_in(browser)


def test_the_default_idle_limit_is_thirty_minutes():
    from shinrai import settings as product_settings

    assert product_settings.SESSION_IDLE_MINUTES == 30
    assert product_settings.SESSION_COOKIE_AGE == 12 * 3600
    assert "shinrai.core.middleware.SessionTimeoutMiddleware" in product_settings.MIDDLEWARE
    order = product_settings.MIDDLEWARE
    assert order.index("shinrai.core.middleware.SessionTimeoutMiddleware") > order.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


# --- session fixation and logout ----------------------------------------------------------------------------


def test_login_gives_a_new_session_key_and_the_planted_one_is_useless(cast, settings):
    browser = Client()
    # An attacker plants a session id (a real, stored anonymous session) before the victim logs in.
    planted = browser.session
    planted["planted"] = "by the attacker"
    planted.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    response = browser.post(
        reverse("login"), {"username": "customer_sponsor@example.jp", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    new_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert attacker.get(reverse("core:portal")).status_code == 302
    assert attacker.get(f"/api/v1/projects/{cast.own.pk}").status_code == 401
    assert signed_in(browser)


def test_logout_destroys_the_session_so_a_copied_cookie_is_useless(cast, settings):
    browser = sign_in("customer_sponsor@example.jp")
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = key
    assert copy.get(reverse("core:portal")).status_code == 200
    assert browser.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert copy.get(reverse("core:portal")).status_code == 302
    assert copy.get(f"/api/v1/projects/{cast.own.pk}").status_code == 401


# --- deactivation and removal: every credential at once -----------------------------------------------------


@pytest.fixture
def credentials(cast):
    """The customer sponsor signed in twice (two browsers), with an API token and a calendar feed URL, on a
    project that has a shared milestone."""
    sponsor = cast.users["customer_sponsor"]
    progress_services.milestone_save(
        by=cast.users["vendor_pm"], project=cast.own, name="受入試験完了", visibility="customer"
    )
    _token, clear = services.api_token_create(user=sponsor, name="laptop")
    secret = calendar_feed.calendar_feed_token_issue(user=sponsor)
    browsers = [sign_in("customer_sponsor@example.jp"), sign_in("customer_sponsor@example.jp")]
    for browser in browsers:
        assert signed_in(browser)
    assert _token_get(clear, f"/api/v1/projects/{cast.own.pk}") == 200
    assert _feed(secret, cast.own).status_code == 200
    return sponsor, browsers, clear, secret


def _token_get(clear: str, url: str) -> int:
    return Client().get(url, headers={"authorization": f"Bearer {clear}"}).status_code


def _feed(secret: str, project=None):
    if project is None:
        return Client().get(reverse("calendar:feed", kwargs={"secret": secret}))
    return Client().get(reverse("calendar:project_feed", kwargs={"secret": secret, "pk": project.pk}))


def test_deactivated_person_loses_every_session_token_and_feed_on_the_next_request(cast, credentials):
    sponsor, browsers, clear, secret = credentials
    sponsor.is_active = False
    sponsor.save(update_fields=["is_active"])
    for browser in browsers:
        assert not signed_in(browser)
        assert api_status(browser, cast.own) == 401
    assert _token_get(clear, f"/api/v1/projects/{cast.own.pk}") == 401
    assert _token_get(clear, "/api/v1/me") == 401
    assert _feed(secret).status_code == 404
    assert _feed(secret, cast.own).status_code == 404


def test_removed_member_loses_the_project_everywhere_on_the_next_request(cast, credentials):
    sponsor, browsers, clear, secret = credentials
    membership = ProjectMember.objects.get(project=cast.own, user=sponsor)
    services.member_remove(by=cast.users["vendor_pm"], member=membership)
    for browser in browsers:
        assert browser.get(reverse("core:portal_project", args=[cast.own.pk])).status_code == 404
        assert api_status(browser, cast.own) == 404
        assert cast.own.name not in browser.get(reverse("core:portal")).content.decode()
    assert _token_get(clear, f"/api/v1/projects/{cast.own.pk}") == 404
    assert _token_get(clear, f"/api/v1/projects/{cast.own.pk}/milestones") == 404
    assert _feed(secret, cast.own).status_code == 404
    combined = _feed(secret)
    assert combined.status_code == 200  # the person still exists; the feed just has nothing of that project
    assert "受入試験完了".encode() not in combined.content
    assert "受入試験完了" not in combined.content.decode()


def test_password_reset_ends_the_other_sessions(cast, settings):
    import re

    from django.core import mail

    victim_browser = sign_in("customer_member@example.jp")
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = victim_browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert signed_in(thief)
    Client().post(reverse("password_reset"), {"email": "customer_member@example.jp"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    resetter = Client()
    form_url = resetter.get(link)["Location"]
    new_password = "aoba-sakura-2026!"
    assert (
        resetter.post(form_url, {"new_password1": new_password, "new_password2": new_password}).status_code
        == 302
    )
    assert not signed_in(thief)
    assert not signed_in(victim_browser)
