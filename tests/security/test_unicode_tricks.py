"""Threat: Unicode tricks — look-alike (NFKC-equivalent) e-mail addresses, project codes and organization
names, and bidirectional-text controls that make a name read as something else (ASVS 5.0 V1.1.1 one
canonical form before checks, V6.3.1 throttling that cannot be reset by respelling, V1.2.1 output encoding).

Found on the way:
- the log-in form signs ``ｖｅｎｄｏｒ＿ｐｍ＠ｅｘａｍｐｌｅ．ｊｐ`` (full-width, as a Japanese IME
  types it) in as vendor_pm@example.jp, but the throttle counted it as another address: every respelling
  got five more guesses. The throttle now normalises like the form (NFKC).
- an administrator could create accounts ``VENDOR_PM@example.jp`` and ``vendor_pm@EXAMPLE.JP`` beside
  vendor_pm@example.jp (one mailbox, three accounts), projects ``own-1`` and ``ＯＷＮ－１`` beside OWN-1, and
  an organization 顧客Ｃ１ beside 顧客C1. Each is now refused; codes and names are stored NFKC-normalised.
- a name with U+202E (RIGHT-TO-LEFT OVERRIDE) was shown reversed ("gnp.exe" read "exe.png") and the override
  ran on into the text after it. Pages now show every bidi control as U+FFFD.

Lone surrogates in JSON bodies are in test_malformed_bodies.py.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from shinrai.core import services
from shinrai.core.bidi import neutralise
from shinrai.core.models import Organization, User
from shinrai.progress import services as progress_services

from ..factories import TEST_PASSWORD
from .markup import html_text

FULLWIDTH_PM = "ｖｅｎｄｏｒ＿ｐｍ＠ｅｘａｍｐｌｅ．ｊｐ"
RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _login(client, username, password="wrong-password-123"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_full_width_address_signs_in_to_the_same_account(cast):
    client = Client()
    response = _login(client, FULLWIDTH_PM, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.users["vendor_pm"].pk)


@pytest.mark.parametrize("variant", [FULLWIDTH_PM, "ｖendor_pm@example.jp", "vendor_pm@ｅｘａｍｐｌｅ.jp"])
def test_full_width_respellings_count_against_the_same_account(cast, variant):
    """Regression: each respelling had a throttle count of its own (unlimited guesses)."""
    client = Client()
    for _ in range(4):
        _login(client, "vendor_pm@example.jp")
    assert _login(client, variant).status_code == 429
    assert _login(client, FULLWIDTH_PM, TEST_PASSWORD).status_code == 429
    assert _login(client, "vendor_pm@example.jp", TEST_PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "address",
    [
        "VENDOR_PM@example.jp",
        "vendor_pm@EXAMPLE.JP",
        "ｖｅｎｄｏｒ＿ｐｍ@example.jp",
        "vendor_pm@ｅｘａｍｐｌｅ.jp",
        " vendor_pm@example.jp",
    ],
)
def test_an_administrator_cannot_make_a_second_account_for_the_same_mailbox(client, cast, address):
    client.force_login(cast.users["vendor_admin"])
    before = set(User.objects.values_list("email", flat=True))
    password = "Very-long-passphrase-2026!"
    response = client.post(
        reverse("admin:core_user_add"),
        {
            "email": address,
            "display_name": "なりすまし",
            "organization": cast.vendor.pk,
            "password1": password,
            "password2": password,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert set(User.objects.values_list("email", flat=True)) == before


def test_a_different_address_is_still_a_new_account(client, cast):
    user = User(email="new.person@example.jp", display_name="新規", organization=cast.vendor)
    user.full_clean(exclude=["password"])


@pytest.mark.parametrize("code", ["own-1", "ＯＷＮ－１", "Own-1 ", "ＯＷＮ-1"])
def test_a_project_code_that_reads_the_same_is_refused(cast, code):
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            by=cast.users["vendor_admin"],
            vendor_org=cast.vendor,
            customer_org=cast.customer,
            code=code,
            name="偽",
        )
    assert "code" in refused.value.message_dict


def test_project_codes_are_stored_in_their_canonical_form(cast):
    project = services.project_create(
        by=cast.users["vendor_admin"],
        vendor_org=cast.vendor,
        customer_org=cast.customer,
        code="ＮＥＷ－２",
        name="新",
    )
    assert project.code == "NEW-2"


@pytest.mark.parametrize("name", ["顧客Ｃ１", "顧客c1", " 顧客C1"])
def test_an_organization_name_that_reads_the_same_is_refused(cast, name):
    organization = Organization(name=name, kind=Organization.Kind.CUSTOMER)
    with pytest.raises(ValidationError):
        organization.full_clean()


def test_bidi_controls_in_names_are_shown_neutralised(client, cast):
    pm = cast.users["vendor_pm"]
    progress_services.task_save(by=pm, project=cast.own, name=f"請求書{RLO}fdp.exe{PDF}")
    User.objects.filter(pk=cast.users["vendor_member"].pk).update(display_name=f"{LRI}{RLO}佐藤{PDI}")
    client.force_login(pm)
    for url in (reverse("progress:wbs", args=[cast.own.pk]), reverse("progress:gantt", args=[cast.own.pk])):
        page = client.get(url).content.decode()
        assert not set(BIDI_CONTROLS) & set(page), url
        assert "請求書\ufffdfdp.exe\ufffd" in html_text(page)


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_every_bidi_control_is_replaced_and_nothing_else(control):
    text = f"<p>a{control}b — “引用” … ※ ‐ ‎x‏</p>"
    assert neutralise(text.encode()).decode() == text.replace(control, "\ufffd")
