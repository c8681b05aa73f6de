"""Threat: cross-site request forgery — another site makes a signed-in person's browser change something.

ASVS 5.0 V3.5.1/V3.5.2 (cross-site requests to state-changing functions are refused) and V10 (the browser
session is not enough for the API without the CSRF header).

Every page route is sent a POST without a token by a user the matrix lets use it (log-in, log-out and the
language switch included): Django's CSRF check refuses it (403) and no table changes. Every API operation
that is not a read is sent with the browser session but without the X-CSRFToken header: refused the same
way. The positive controls send the same request with the token, and get the answer the access matrix
expects, so a refusal for any other reason cannot pass for a CSRF refusal.

Exempt by design, and tested as such: calls authenticated by ``Authorization: Bearer`` (a browser never adds
that header on its own, so another site cannot make it), and the survey answer API, whose credential is the
single-use token in its URL (no cookie is involved).
"""

from __future__ import annotations

import pytest
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import reverse

from shinrai.core import services

from .routes import Use, allowed_use, api_routes, fingerprint, page_routes, url_for
from .test_access_matrix import EXPECTATIONS

MARK = "X-Test-CSRF-Refused"


def csrf_refused(request, reason=""):
    """Stands in for Django's CSRF failure page, so a test knows the 403 came from the CSRF check."""
    response = HttpResponseForbidden("CSRF")
    response[MARK] = reason or "refused"
    return response


@pytest.fixture(autouse=True)
def _mark_csrf_refusals(settings):
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_refused"


POST_ONLY = {"logout", "core:set_language"}

# Routes whose credential is not a cookie: exempt from CSRF by design (see the module docstring).
TOKEN_IN_URL_API = {"api:get_survey_answer", "api:post_survey_answer"}


def _browser(cast, role) -> tuple[Client, object, str]:
    """A browser enforcing CSRF, signed in as ``role`` (anonymous: not signed in), with its CSRF cookie."""
    browser = Client(enforce_csrf_checks=True)
    user = cast.users.get(role)
    if user is not None:
        browser.force_login(user)
        browser.get(reverse("core:me"))
    else:
        browser.get(reverse("login"))
    return browser, user, browser.cookies["csrftoken"].value


def _page_use(name):
    use = allowed_use(name) or allowed_use(name, signed_in=False)
    expect = EXPECTATIONS[name]
    if use is None and expect.status("vendor_pm", None) == 405:
        # POST-only routes the matrix reads with GET (log-out, the language switch): a POST redirects.
        return Use(name, "vendor_pm", None, expect, 302)
    return use


@pytest.mark.parametrize("name", page_routes())
def test_page_post_without_the_token_is_refused_and_changes_nothing(cast, name):
    use = _page_use(name)
    assert use is not None, f"no role may use {name}"
    browser, user, token = _browser(cast, use.role)
    url = url_for(use, cast, user)
    before = fingerprint()
    response = browser.post(url, {"name": "偽の送信", "body": "偽", "title": "偽"})
    assert response.status_code == 403, f"{name} as {use.role}: {response.status_code}"
    assert response.has_header(MARK), f"{name}: refused, but not by the CSRF check"
    assert fingerprint() == before, f"{name}: a refused POST changed the database"
    if use.expect.method == "post" or name in POST_ONLY:
        # Control: with the token, the same POST gets the matrix's answer.
        control = browser.post(url, {"csrfmiddlewaretoken": token})
        assert control.status_code == use.status, f"{name} with the token: {control.status_code}"
    else:
        control = browser.post(url, {"csrfmiddlewaretoken": token})
        assert not control.has_header(MARK), f"{name}: the token was refused"


def _api_writes() -> list[str]:
    return [name for name in api_routes() if EXPECTATIONS[name].method != "get"]


@pytest.mark.parametrize("name", [n for n in _api_writes() if n not in TOKEN_IN_URL_API])
def test_api_write_with_the_session_but_without_the_csrf_header_is_refused(cast, name):
    use = allowed_use(name)
    assert use is not None, f"no role may use {name}"
    browser, user, token = _browser(cast, use.role)
    url = url_for(use, cast, user)
    data = use.expect.data(cast, use.target, user) if use.expect.data else {}
    send = getattr(browser, use.expect.method)
    before = fingerprint()
    response = send(url, data, content_type="application/json")
    assert response.status_code == 403, f"{name} as {use.role}: {response.status_code}"
    assert response.json() == {"detail": "CSRF check Failed"}, name
    assert fingerprint() == before, f"{name}: a refused call changed the database"
    # Control: the same call with the header gets the matrix's answer.
    control = send(url, data, content_type="application/json", headers={"x-csrftoken": token})
    assert control.status_code == use.status, f"{name} with the header: {control.status_code}"


@pytest.mark.parametrize("name", _api_writes())
def test_api_write_with_a_bearer_token_needs_no_csrf_header(cast, name):
    """Token calls are exempt by design: the header cannot be sent by another site's page."""
    use = allowed_use(name) if name not in TOKEN_IN_URL_API else allowed_use(name, signed_in=False)
    user = cast.users.get(use.role)
    url = url_for(use, cast, user)
    data = use.expect.data(cast, use.target, user) if use.expect.data else {}
    headers = {}
    if user is not None:
        _token, clear = services.api_token_create(user=user, name="csrf")
        headers["authorization"] = f"Bearer {clear}"
    response = getattr(Client(enforce_csrf_checks=True), use.expect.method)(
        url, data, content_type="application/json", headers=headers
    )
    assert response.status_code == use.status, f"{name} as {use.role}: {response.status_code}"


def test_every_api_write_is_covered_by_a_csrf_case():
    """The API writes come from the matrix; make sure it still lists POST, PUT, PATCH and DELETE ones."""
    methods = {EXPECTATIONS[name].method for name in _api_writes()}
    assert {"post", "put", "patch", "delete"} <= methods
    assert len(_api_writes()) > 80


def test_logout_without_the_token_keeps_the_session(cast):
    browser, _user, _token = _browser(cast, "customer_sponsor")
    response = browser.post(reverse("logout"))
    assert response.status_code == 403 and response.has_header(MARK)
    assert browser.get(reverse("core:portal")).status_code == 200


def test_login_without_the_token_is_refused(cast):
    """Login CSRF: another site must not sign a victim into the attacker's account."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        reverse("login"),
        {"username": "customer_sponsor@example.jp", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 403 and response.has_header(MARK)
    assert "_auth_user_id" not in browser.session


def test_admin_change_without_the_token_is_refused(cast):
    browser, _user, _token = _browser(cast, "vendor_admin")
    before = fingerprint()
    response = browser.post(
        reverse("admin:core_project_change", args=[cast.own.pk]), {"name": "乗っ取り", "code": "OWN-1"}
    )
    assert response.status_code == 403 and response.has_header(MARK)
    response = browser.post(
        reverse("admin:core_user_delete", args=[cast.users["vendor_pm"].pk]), {"post": "yes"}
    )
    assert response.status_code == 403 and response.has_header(MARK)
    assert fingerprint() == before
