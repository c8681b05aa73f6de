"""Production settings switch on the secure defaults, and `shinrai check --deploy` is clean under them."""

import os
import secrets
import subprocess
import sys


def _shinrai(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SHINRAI_")} | env
    return subprocess.run(
        [sys.executable, "-m", "shinrai.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    result = _shinrai(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SHINRAI_ENV="production",
        SHINRAI_SECRET_KEY=secrets.token_urlsafe(50),
        SHINRAI_ALLOWED_HOSTS="shinrai.example.jp",
        SHINRAI_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _shinrai("check", SHINRAI_ENV="production", SHINRAI_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SHINRAI_SECRET_KEY must be set" in result.stderr


def test_production_settings_values(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )
    result = _shinrai(
        "shell",
        "-c",
        code,
        SHINRAI_ENV="production",
        SHINRAI_SECRET_KEY=secrets.token_urlsafe(50),
        SHINRAI_VAR_DIR=str(tmp_path),
    )
    assert result.stdout.split()[-5:] == ["False", "True", "True", "31536000", "True"], result.stderr


def test_every_page_sends_a_strict_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
