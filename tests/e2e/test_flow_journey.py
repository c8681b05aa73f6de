"""Business flows in the browser, end to end (issue 7's "Done when": linking and gaps for both sides).

The vendor PM uploads a BPMN sample, clicks a step in the drawn diagram, attaches a requirement and sees the
gap list shrink; the customer sponsor opens the demo flow, zooms in with the button, clicks a step and
comments.
"""

from __future__ import annotations

import re

import pytest

from shinrai.flows.models import BusinessFlow, StepComment, StepRequirementLink
from tests.flows.conftest import SAMPLES

from .test_login_journey import japanese, log_in, path_of
from .test_requirements_journey import log_out, message_text

pytestmark = pytest.mark.e2e

VENDOR_PM = "pm@sample-systems.example.jp"
SPONSOR = "sponsor@midori-mart.example.jp"
PROJECT_CODE = "MDR-2026-01"
DEMO_FLOW = "受注から出荷まで"
UPLOADED = "サンプル業務フロー A.1.0"
TASK_1 = "_ec59e164-68b4-4f94-98de-ffb1c58a84af"  # "Task 1" of the MIWG sample A.1.0


def gap_count(page, live_server, project_pk: int) -> int:
    page.goto(f"{live_server.url}/projects/{project_pk}/flows/gaps/")
    return int(page.inner_text("[data-gap-steps]"))


def pm_uploads_links_and_closes_a_gap(page, live_server, screenshot) -> None:
    log_in(page, live_server, VENDOR_PM)
    page.locator("table.data-table tbody tr", has_text=PROJECT_CODE).locator("a").first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=japanese("Business flows"), exact=True).click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/flows/", path_of(page, live_server))
    project_pk = int(path_of(page, live_server).split("/")[2])
    before_upload = gap_count(page, live_server, project_pk)
    page.goto(f"{live_server.url}/projects/{project_pk}/flows/")
    page.fill("#id_title", UPLOADED)
    page.set_input_files("#id_file", str(SAMPLES / "A.1.0.bpmn"))
    page.locator("#new-flow-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"/projects/\d+/flows/\d+/", path_of(page, live_server))
    assert UPLOADED in page.inner_text("main h1")
    # Three tasks, none linked yet: amber outlines drawn by flows.js.
    page.wait_for_selector(".flow-viewer-ready")
    assert page.locator("svg .flow-gap-halo").count() == 3
    screenshot("flow-detail-after-upload")
    flow_url = page.url
    after_upload = gap_count(page, live_server, project_pk)
    assert after_upload == before_upload + 3

    page.goto(flow_url)
    page.wait_for_selector(".flow-viewer-ready")
    page.locator(f'svg [data-bpmn-id="{TASK_1}"]').first.click()
    page.wait_for_load_state("load")
    assert path_of(page, live_server).endswith(f"/steps/{TASK_1}/")
    assert page.inner_text("main h1") == "Task 1"
    first_option = page.locator("#attach-form select option").nth(1)
    ref = first_option.inner_text().split()[0]
    page.select_option("#attach-form select", first_option.get_attribute("value"))
    page.locator("#attach-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert ref in page.locator("ul.flow-links").inner_text()
    assert ref in message_text(page)
    screenshot("flow-step-linked")
    assert gap_count(page, live_server, project_pk) == after_upload - 1
    screenshot("flow-gaps")
    assert StepRequirementLink.objects.filter(flow__title=UPLOADED, element_id=TASK_1).count() == 1
    log_out(page)


def sponsor_zooms_clicks_and_comments(page, live_server, screenshot) -> None:
    log_in(page, live_server, SPONSOR)
    flow = BusinessFlow.objects.get(title=DEMO_FLOW)
    page.goto(f"{live_server.url}/portal/projects/{flow.project_id}/")
    page.get_by_role("link", name=japanese("Business flows"), exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=DEMO_FLOW, exact=True).click()
    page.wait_for_load_state("load")
    page.wait_for_selector(".flow-viewer-ready")
    viewer = page.locator("[data-flow-viewer]")
    before = page.locator(".flow-viewport svg").get_attribute("viewBox")
    viewer.locator("[data-zoom=in]").click()
    viewer.locator("[data-zoom=in]").click()
    assert page.locator(".flow-viewport svg").get_attribute("viewBox") != before
    assert float(viewer.get_attribute("data-zoom-level")) > 1.5
    # The demo leaves 入荷予定を連絡する and 検品・梱包する without a requirement.
    assert page.locator("svg .flow-gap-halo").count() == 2
    screenshot("flow-customer-zoomed")
    viewer.locator("[data-zoom=fit]").click()
    page.locator('svg [data-bpmn-id="Task_Backorder"]').first.click()
    page.wait_for_load_state("load")
    assert page.inner_text("main h1") == "入荷予定を連絡する"
    assert "欠品時の連絡は今は電話です。" in page.inner_text("main")  # the demo's customer comment
    page.fill("#comment-form textarea", "入荷予定はSMSでも送ってください。")
    page.locator("#comment-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "入荷予定はSMSでも送ってください。" in page.locator("ol.flow-comments").inner_text()
    screenshot("flow-customer-comment")
    assert StepComment.objects.filter(element_id="Task_Backorder", author__email=SPONSOR).count() == 2


def test_a_flow_from_upload_to_links_gaps_and_comments(
    page, live_server, demo_data, console_errors, screenshot
):
    pm_uploads_links_and_closes_a_gap(page, live_server, screenshot)
    sponsor_zooms_clicks_and_comments(page, live_server, screenshot)
    assert console_errors == []
