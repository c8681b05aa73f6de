"""Security headers on every kind of answer, and uploaded files served only as checked attachments.

Threats: script injection and clickjacking that headers contain (ASVS V3.4 "browser security mechanism
headers"), cookies readable by scripts or sent over plain HTTP (V3.3), an uploaded file rendered by the
browser as a page (V5.4 "file download"). The production settings themselves (HSTS, secure cookies,
`check --deploy`) are also checked in tests/core/test_deploy.py; here a production process answers a
real request.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from shinrai.core.models import Visibility
from shinrai.flows import services as flow_services
from tests.security.matrix_flows import TINY_BPMN

pytestmark = pytest.mark.django_db


def pages(cast) -> list[tuple[str | None, str]]:
    """(role or None for anonymous, path): a page of each kind — form, workspace, portal, API, 404, files."""
    project = cast.own.pk
    return [
        (None, "/accounts/login/"),
        (None, "/no-such-page/"),
        ("vendor_pm", f"/projects/{project}/"),
        ("vendor_pm", f"/projects/{project}/wbs/"),
        ("vendor_manager", "/portfolio/"),
        ("customer_sponsor", "/portal/"),
        ("customer_sponsor", f"/portal/projects/{project}/schedule/"),
        ("customer_sponsor", f"/projects/{cast.foreign.pk}/"),  # another tenant's: 404
        ("vendor_pm", "/api/v1/projects/"),
        ("vendor_pm", reverse("progress:wbs_export", args=[project])),
    ]


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def test_every_kind_of_answer_carries_the_security_headers(client, cast):
    for role, path in pages(cast):
        client.logout()
        if role:
            client.force_login(cast.users[role])
        response = client.get(path)
        where = f"{role} {path} ({response.status_code})"
        policy = directives(response["Content-Security-Policy"])
        assert (
            "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        ), where
        assert "'unsafe-inline'" not in policy.get("style-src", "style-src 'self'"), where
        assert policy["frame-ancestors"] == "frame-ancestors 'none'", where
        assert policy["object-src"] == "object-src 'none'", where
        assert response["X-Frame-Options"] == "DENY", where
        assert response["X-Content-Type-Options"] == "nosniff", where
        assert response["Referrer-Policy"] == "same-origin", where
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", where


def test_uploaded_file_is_served_only_as_an_attachment_through_the_access_check(client, cast):
    flow = flow_services.flow_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="受注の流れ",
        data=TINY_BPMN,
        filename='<svg onload=alert(1)>".bpmn',
        visibility=Visibility.CUSTOMER,
    )
    url = reverse("flows:version_download", args=[cast.own.pk, flow.pk, 1])

    client.force_login(cast.users["customer_sponsor"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "<" not in response["Content-Disposition"] and '"".' not in response["Content-Disposition"]
    assert response["Content-Type"].startswith("application/xml")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]

    client.force_login(cast.users["outsider_customer"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page, not the file


def test_stored_files_have_no_public_url(client, cast, settings):
    (settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "probe.txt").write_text("secret")
    try:
        for path in ("/media/probe.txt", "/static/../media/probe.txt"):
            assert client.get(path).status_code == 404
    finally:
        (settings.MEDIA_ROOT / "probe.txt").unlink()


def test_production_answers_with_hsts_and_secure_cookies(tmp_path):
    # A production process (settings read at start) answering one real request through Django's handler.
    # The login page's static files need collectstatic's manifest in production (minutes here): plain
    # static storage stands in, which changes no header.
    code = (
        "import json; from django.conf import settings; from django.test import Client, override_settings\n"
        "storages = {**settings.STORAGES, 'staticfiles': "
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
        "with override_settings(STORAGES=storages):\n"
        "    r = Client().get('/accounts/login/', secure=True, HTTP_HOST='shinrai.example.jp')\n"
        "    plain = Client().get('/accounts/login/', HTTP_HOST='shinrai.example.jp')\n"
        "c = r.cookies['csrftoken']\n"
        "print(json.dumps({'status': r.status_code, 'hsts': r.get('Strict-Transport-Security'), "
        "'secure': bool(c['secure']), 'samesite': c['samesite'], 'plain': plain.status_code}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHINRAI_")} | {
        "SHINRAI_ENV": "production",
        "SHINRAI_SECRET_KEY": secrets.token_urlsafe(50),
        "SHINRAI_ALLOWED_HOSTS": "shinrai.example.jp",
        "SHINRAI_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)  # the page needs no database; an empty file of its own is enough
    result = subprocess.run(
        [sys.executable, "-m", "shinrai.cli", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
    assert answer.get("status") == 200, result.stdout + result.stderr
    assert answer["hsts"].startswith("max-age=31536000") and "includeSubDomains" in answer["hsts"]
    assert answer["secure"] is True and answer["samesite"] == "Lax"
    assert answer["plain"] == 301  # plain HTTP is sent to HTTPS
