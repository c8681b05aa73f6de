"""Two people edit the same task in two browsers: the second save is refused with the conflict view.

The vendor manager and the PM open the same task of the demo project. The manager renames it and saves.
The PM, whose page still shows the old name, changes it too and saves: the page answers 409 with the shared
conflict view (who saved, when, what is saved now beside what the PM typed), the PM's input still in the
form. Saving again is then a deliberate overwrite and goes through. (Optimistic locking, issue 10 point 3;
shinrai/core/locking.py.)
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinrai.core.demo import DEMO_PASSWORD
from shinrai.progress.models import Task

from .conftest import TIMEOUT_MS
from .test_login_journey import japanese, log_in
from .test_weekly_report_journey import PROJECT_CODE, VENDOR_PM

pytestmark = pytest.mark.e2e

MANAGER = "manager@sample-systems.example.jp"
MANAGERS_NAME = "要件定義書レビュー(部長修正)"
PMS_NAME = "要件定義書レビュー(PM修正)"


def test_second_editor_of_a_task_sees_the_conflict_view(
    page, browser, live_server, demo_data, console_errors, screenshot
):
    task = Task.objects.filter(project__code=PROJECT_CODE, children__isnull=True).order_by("pk").first()
    assert task is not None, "the demo project has leaf tasks"
    url = f"{live_server.url}{reverse('progress:task_edit', args=[task.project_id, task.pk])}"

    # The PM (this page) and the manager (a second browser, its own cookies) open the same task.
    log_in(page, live_server, VENDOR_PM)
    page.goto(url)
    other = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800}
    )
    other.set_default_timeout(TIMEOUT_MS)
    manager = other.new_page()
    try:
        log_in(manager, live_server, MANAGER, DEMO_PASSWORD)
        manager.goto(url)
        manager.fill("#id_name", MANAGERS_NAME)
        manager.locator("form.form-grid button[type=submit]").click()
        manager.wait_for_load_state("load")
        task.refresh_from_db()
        assert task.name == MANAGERS_NAME
    finally:
        other.close()

    page.fill("#id_name", PMS_NAME)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.locator("form.form-grid button[type=submit]").click()
    assert posted.value.status == 409
    page.wait_for_load_state("load")
    conflict = page.locator("#conflict")
    assert conflict.is_visible()
    assert japanese("Someone else changed this while you were editing it") in conflict.inner_text()
    assert "佐藤 一郎" in conflict.inner_text()  # who saved it
    assert MANAGERS_NAME in conflict.inner_text()  # what is saved now
    assert page.input_value("#id_name") == PMS_NAME  # the PM's input is kept
    task.refresh_from_db()
    assert task.name == MANAGERS_NAME  # nothing of the stale save was written
    screenshot("conflict-view")

    # Saving again, having seen the manager's change, is deliberate and goes through.
    page.locator("form.form-grid button[type=submit]").click()
    page.wait_for_load_state("load")
    task.refresh_from_db()
    assert task.name == PMS_NAME
    screenshot("saved-after-conflict")
    # Chromium logs the 409 answer itself as a failed load; anything else (CSP, script errors) is a fault.
    assert [error for error in console_errors if "status of 409" not in error] == []
