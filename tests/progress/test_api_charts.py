"""The chart data through the API: the Gantt's lines and the burndown / earned-value series, per audience."""

from datetime import date

import pytest

from shinrai.progress import services
from tests.clock import _english  # noqa: F401  (autouse: messages in English)

from .conftest import TODAY

MONDAY = date(2026, 11, 16)  # TODAY is the Friday of that week


@pytest.fixture
def plan(cast, today, make_task, make_milestone):
    """A shared task half done, a vendor-only task not started, a shared task past its finish, a milestone."""
    pm = cast.users["vendor_pm"]
    shared = make_task("画面設計", planned_start=MONDAY, planned_finish=TODAY, estimate_hours=10)
    services.task_update_progress(by=pm, task=shared, progress=50, actual_hours=4)
    internal = make_task(
        "社内レビュー", planned_start=MONDAY, planned_finish=TODAY, estimate_hours=6, visibility="internal"
    )
    late = make_task("帳票設計", planned_start=MONDAY, planned_finish=date(2026, 11, 18), estimate_hours=0)
    milestone = make_milestone("要件定義完了", baseline_date=date(2026, 12, 4))
    return {"shared": shared, "internal": internal, "late": late, "milestone": milestone}


def _get(client, cast, role, path):
    client.force_login(cast.users[role])
    response = client.get(f"/api/v1/projects/{cast.own.pk}/{path}")
    assert response.status_code == 200, response.content
    return response.json()


def test_vendor_roles_get_the_burndown_in_hours_and_earned_value(client, cast, plan):
    body = _get(client, cast, "vendor_member", "progress-charts")
    assert (body["audience"], body["today"]) == ("vendor", "2026-11-20")
    burndown = body["burndown"]
    assert (burndown["unit"], burndown["start"], burndown["target"], burndown["total"]) == (
        "hours",
        "2026-11-16",
        "2026-11-20",
        16.0,
    )
    # The start is estimated (no snapshot before today); today's point is live: 10 × 50 % + 6 left.
    assert burndown["points"] == [
        {"date": "2026-11-16", "remaining": 16.0, "estimated": True},
        {"date": "2026-11-20", "remaining": 11.0, "estimated": False},
    ]
    figures = body["earned_value"]["figures"]
    assert (figures["bac"], figures["pv"], figures["ev"], figures["ac"]) == (16.0, 16.0, 5.0, 4.0)
    assert (figures["spi"], figures["cpi"]) == (0.31, 1.25)
    assert body["earned_value"]["history"] == [
        {"date": "2026-11-20", "is_today": True, "pv": 16.0, "ev": 5.0, "ac": 4.0, "spi": 0.31, "cpi": 1.25}
    ]
    assert body["earned_value"]["unplanned_tasks"] == 0


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member"])
def test_customers_get_the_burndown_in_percent_of_the_shared_work_and_no_hours(client, cast, plan, role):
    body = _get(client, cast, role, "progress-charts")
    assert body["audience"] == "customer"
    assert body["earned_value"] is None
    burndown = body["burndown"]
    assert (burndown["unit"], burndown["total"]) == ("percent", 100.0)
    assert [point["remaining"] for point in burndown["points"]] == [
        100.0,
        50.0,
    ]  # the vendor-only task is out


def test_gantt_lists_milestones_then_tasks_with_their_colours(client, cast, plan):
    lines = _get(client, cast, "vendor_pm", "gantt")["lines"]
    assert [(line["kind"], line["id"], line["code"], line["status"]) for line in lines] == [
        ("milestone", plan["milestone"].pk, "", "in_progress"),
        ("task", plan["shared"].pk, "1", "at_risk"),  # 50 % done on its last planned day
        ("task", plan["internal"].pk, "2", "at_risk"),
        ("task", plan["late"].pk, "3", "late"),  # its finish has passed
    ]
    milestone, shared = lines[0], lines[1]
    assert (milestone["baseline"], milestone["finish"], milestone["start"]) == (
        "2026-12-04",
        "2026-12-04",
        None,
    )
    assert (shared["start"], shared["finish"], shared["progress"], shared["status_label"]) == (
        "2026-11-16",
        "2026-11-20",
        50.0,
        "At risk",
    )


def test_the_customers_gantt_leaves_out_vendor_only_tasks(client, cast, plan):
    lines = _get(client, cast, "customer_member", "gantt")["lines"]
    assert [line["id"] for line in lines if line["kind"] == "task"] == [plan["shared"].pk, plan["late"].pk]


def test_partner_vendors_see_only_what_is_shared_with_partners(client, cast, plan, make_task):
    make_task(
        "協力会社向け作業",
        planned_start=MONDAY,
        planned_finish=TODAY,
        estimate_hours=2,
        visibility="partners",
    )
    body = _get(client, cast, "partner_viewer", "gantt")
    assert body["audience"] == "partners"
    assert [line["name"] for line in body["lines"]] == ["協力会社向け作業"]
    assert _get(client, cast, "partner_viewer", "progress-charts")["earned_value"] is None


@pytest.mark.parametrize("role", ["outsider_customer", "other_vendor_manager", "vendor_admin"])
def test_a_project_the_caller_cannot_see_answers_404(client, cast, plan, role):
    client.force_login(cast.users[role])
    for path in ("gantt", "progress-charts"):
        assert client.get(f"/api/v1/projects/{cast.own.pk}/{path}").status_code == 404
