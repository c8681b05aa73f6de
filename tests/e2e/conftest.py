"""Browser tests: a real headless Chromium (Debian's, /usr/bin/chromium) against pytest-django's live server.

Everything here is skipped, with the reason printed, when Chromium or the playwright package is missing.
Screenshots are kept under var/test-artifacts/e2e/ (var/ is git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SHINRAI_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "e2e"
TIMEOUT_MS = 15_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/e2e carries the e2e marker, so `-m "not e2e"` leaves all of them out."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@contextmanager
def _async_unsafe_allowed() -> Iterator[None]:
    """Let the main thread use the ORM while Playwright's event loop is "running" in it.

    Playwright's sync API keeps an asyncio loop running in the main thread for as long as it is started,
    and Django then refuses every ORM call from that thread (SynchronousOnlyOperation): the demo data
    fixture and the transactional_db flush. The sync API never runs our code concurrently with that
    loop, so the check can be switched off -- but only while the browser lives: the variable is
    inherited by subprocesses, and `check --deploy` rightly reports it (async.E001).
    """
    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = before


# Package scope, not session scope: Chromium is launched once for all of tests/e2e and stopped (with
# Playwright's event loop) as soon as the last e2e test is done, so tests elsewhere run as usual.
@pytest.fixture(scope="package")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        exc_type=ImportError,
        reason="playwright cannot be imported: .venv/bin/pip install -e '.[dev]'",
    )
    with _async_unsafe_allowed(), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Console messages of type "error" (CSP violations included) and uncaught page errors of the `page`."""
    return []


@pytest.fixture
def page(browser, console_errors: list[str]) -> Iterator:
    """A fresh browser context (no cookies) per test, as a Japanese user's browser would be set up."""
    context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def demo_data(transactional_db) -> dict[str, int]:
    """The demo organizations, users and projects, in the database the live server reads."""
    from shinrai.core.demo import load_demo

    return load_demo()


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves a full-page PNG as var/test-artifacts/e2e/name.png and returns its path."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
