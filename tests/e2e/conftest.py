"""Browser tests: a real headless Chromium (Debian's, /usr/bin/chromium) against pytest-django's live server.

Everything here is skipped, with the reason printed, when Chromium or the playwright package is missing.
Screenshots are kept under var/test-artifacts/e2e/<database>/<test>/ (var/ is git-ignored): one directory per
test, emptied when the test starts, so that what is there is what the last run saw; a failed test also leaves
FAILED.png, the page as it was when it failed. The SQLite and PostgreSQL passes keep separate directories.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
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


FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/e2e carries the e2e marker, so `-m "not e2e"` leaves all of them out."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Remember a failed call, so that the page fixture can keep a screenshot of where it failed."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


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
def artifacts(request: pytest.FixtureRequest) -> Path:
    """This test's screenshot directory, var/test-artifacts/e2e/<database>/<test>/, emptied first."""
    from django.db import connection

    name = request.node.name.replace("/", "_").replace("[", "-").rstrip("]")
    directory = ARTIFACTS / connection.vendor / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


@pytest.fixture
def page(browser, console_errors: list[str], request: pytest.FixtureRequest, artifacts: Path) -> Iterator:
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
        if request.node.stash.get(FAILED, False):
            page.screenshot(path=str(artifacts / "FAILED.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def demo_data(transactional_db) -> dict[str, int]:
    """The demo organizations, users and projects, in the database the live server reads."""
    from shinrai.core.demo import load_demo

    return load_demo()


@pytest.fixture
def screenshot(page, artifacts: Path) -> Callable[..., Path]:
    """screenshot("name") saves a full-page PNG of `page` (or of `of=`, another page; only what is on screen
    with full_page=False) as <artifacts>/NN-name.png, numbered in the order taken, and returns its path."""
    taken: list[Path] = []

    def take(name: str, *, of=None, full_page: bool = True) -> Path:
        path = artifacts / f"{len(taken) + 1:02d}-{name}.png"
        (of or page).screenshot(path=str(path), full_page=full_page)
        taken.append(path)
        return path

    return take
