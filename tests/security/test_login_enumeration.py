"""Threat: guessing passwords online, and learning which e-mail addresses have an account (to aim phishing or
guessing at them) from the log-in page, the password reset page or the throttle.

ASVS 5.0 V6.3.1 (brute force: throttling, here django-axes: 5 failures per address and account), V6.3.8 /
V6.4.x (no account enumeration: the same answer for an unknown address as for a wrong password, a
deactivated account or a locked one; the password reset answers the same for every address), and the
timing side channel: the password hasher runs for unknown addresses too (Django's ModelBackend hashes the
given password when no user matches), so the medians of N log-ins with the real Argon2 hasher stay within a
generous bound of each other.

There is no self sign-up and no account invitation flow (accounts are made by vendor administrators in the
admin), so those channels do not exist. Survey invitations carry a token, not an account.
"""

from __future__ import annotations

import re
import statistics
import time

import pytest
from axes.utils import reset as axes_reset
from django.core import mail
from django.test import Client
from django.urls import reverse

from ..factories import TEST_PASSWORD

_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
_TYPED = re.compile(rb'name="username" id="id_username"[^>]*value="[^"]*"')


def _login(client, username, password="wrong-password-123"):
    return client.post(reverse("login"), {"username": username, "password": password})


def _page(response) -> bytes:
    """The answer without the per-request CSRF token and the address the person typed (echoed back)."""
    body = _CSRF.sub(b"csrf", response.content)
    return _TYPED.sub(b"typed", body)


@pytest.fixture
def deactivated(cast):
    user = cast.users["customer_member"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def test_unknown_address_wrong_password_and_deactivated_account_answer_alike(cast, deactivated):
    answers = {
        "unknown": _login(Client(), "nobody-here@example.jp"),
        "wrong password": _login(Client(), "customer_sponsor@example.jp"),
        "deactivated, right password": _login(Client(), deactivated.email, TEST_PASSWORD),
    }
    shapes = {
        name: (r.status_code, tuple(sorted(r.cookies.keys())), r.headers.get("Content-Type"), _page(r))
        for name, r in answers.items()
    }
    assert answers["unknown"].status_code == 200
    assert len(set(shapes.values())) == 1, {name: shape[:3] for name, shape in shapes.items()}


def test_locked_unknown_and_locked_known_accounts_answer_alike(cast):
    locked = {}
    for name, address in (("unknown", "nobody-here@example.jp"), ("known", "vendor_pm@example.jp")):
        client = Client()
        for _ in range(5):
            _login(client, address)
        locked[name] = _login(client, address)
    assert locked["unknown"].status_code == locked["known"].status_code == 429
    assert _page(locked["unknown"]) == _page(locked["known"])


@pytest.mark.parametrize(
    "variant", ["VENDOR_PM@example.jp", " vendor_pm@EXAMPLE.JP ", "Vendor_Pm@Example.Jp"]
)
def test_case_and_spacing_variants_count_against_the_same_account(cast, variant):
    client = Client()
    for _ in range(4):
        _login(client, "vendor_pm@example.jp")
    # The fifth failure, under another spelling, reaches the limit of the same account.
    assert _login(client, variant).status_code == 429
    assert _login(client, "vendor_pm@example.jp", TEST_PASSWORD).status_code == 429


def test_admin_login_is_throttled_too(cast):
    client = Client()
    for _ in range(5):
        client.post(
            reverse("admin:login"), {"username": "vendor_admin@example.jp", "password": "wrong-pw-12345"}
        )
    response = client.post(
        reverse("admin:login"), {"username": "vendor_admin@example.jp", "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_answers_every_address_alike(cast, deactivated):
    answers = {
        address: Client().post(reverse("password_reset"), {"email": address})
        for address in ("nobody-here@example.jp", "customer_sponsor@example.jp", deactivated.email)
    }
    assert {(r.status_code, r["Location"]) for r in answers.values()} == {
        (302, reverse("password_reset_done"))
    }
    assert [message.to for message in mail.outbox] == [["customer_sponsor@example.jp"]]


def _median_seconds(attempts) -> float:
    timings = []
    for attempt in attempts:
        start = time.perf_counter()
        attempt()
        timings.append(time.perf_counter() - start)
        axes_reset()  # keep the throttle out of the measurement
    return statistics.median(timings)


def test_login_timing_does_not_tell_unknown_addresses_from_known_ones(cast, settings):
    from shinrai import settings as product_settings

    settings.PASSWORD_HASHERS = product_settings.PASSWORD_HASHERS  # the real, slow Argon2
    user = cast.users["customer_sponsor"]
    user.set_password(TEST_PASSWORD)
    user.save(update_fields=["password"])
    client = Client()
    tries = 7
    # Interleaved, so that a change in the machine's load hits both sides alike.
    known, unknown = [], []
    for i in range(tries):
        known.append(_median_seconds([lambda: _login(client, "customer_sponsor@example.jp")]))
        unknown.append(_median_seconds([lambda i=i: _login(client, f"nobody-{i}@example.jp")]))
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    # The hasher dominates both (tens of milliseconds); without it an unknown address would answer in ~1 ms.
    assert min(known_median, unknown_median) > 0.01, (known_median, unknown_median)
    assert abs(known_median - unknown_median) < 0.5 * max(known_median, unknown_median), (
        known_median,
        unknown_median,
    )
