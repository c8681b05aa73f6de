"""Log-in, log-out, throttling, password reset and hashing."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from shinrai.core.models import User

from ..factories import TEST_PASSWORD


def _login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_login_with_email_lands_vendor_on_portfolio(client, cast):
    response = _login(client, "vendor_pm@example.jp", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("core:portfolio")


def test_login_lands_customer_on_portal(client, cast):
    response = _login(client, "customer_sponsor@example.jp", TEST_PASSWORD)
    assert client.get(response["Location"])["Location"] == reverse("core:portal")


def test_login_email_is_case_insensitive_at_creation(db, cast):
    user = User.objects.create_user(
        "MiXeD@Example.JP", TEST_PASSWORD, display_name="x", organization=cast.customer
    )
    assert user.email == "mixed@example.jp"


def test_wrong_password_shows_a_clear_message(client, cast):
    response = _login(client, "vendor_pm@example.jp", "wrong-password")
    assert response.status_code == 200
    assert "パスワードが正しくありません" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_five_failures(client, cast):
    for _ in range(5):
        _login(client, "vendor_pm@example.jp", "wrong-password")
    response = _login(client, "vendor_pm@example.jp", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked out by someone else's failures.
    assert _login(client, "customer_sponsor@example.jp", TEST_PASSWORD).status_code == 302


def test_logout_is_post_only_and_ends_the_session(client, cast):
    client.force_login(cast.users["vendor_pm"])
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("core:portfolio")).status_code == 302


def test_password_reset_sends_a_working_link_through_the_task_queue(client, cast):
    response = client.post(reverse("password_reset"), {"email": "customer_member@example.jp"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["customer_member@example.jp"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session key
    new_password = "aoba-sakura-2026!"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert User.objects.get(email="customer_member@example.jp").check_password(new_password)


def test_password_reset_for_unknown_address_reveals_nothing(client, cast):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.jp"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("password", ["short", "1234567890123"])
def test_weak_passwords_are_refused_on_reset(client, cast, password):
    client.post(reverse("password_reset"), {"email": "customer_member@example.jp"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert User.objects.get(email="customer_member@example.jp").check_password(TEST_PASSWORD)


def test_passwords_are_hashed_with_argon2(db, cast, settings):
    from shinrai import settings as product_settings

    settings.PASSWORD_HASHERS = product_settings.PASSWORD_HASHERS  # undo the tests' fast hasher
    user = cast.users["customer_member"]
    user.set_password("a-long-enough-passphrase")
    assert user.password.startswith("argon2$")
