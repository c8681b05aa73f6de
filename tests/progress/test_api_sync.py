"""Sync on milestones, tasks and reports: updated_since on the lists, ETag on reads, If-Match on PATCH."""

from datetime import date, datetime, timedelta

from shinrai.api import sync
from shinrai.progress import report_services, services
from shinrai.progress.models import Milestone, Task, WeeklyReport
from tests.clock import TOKYO, _english  # noqa: F401  (autouse: messages in English)

BASE = datetime(2026, 11, 1, 9, 0, tzinfo=TOKYO)


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_milestones_changed_since_oldest_first(client, cast, make_milestone):
    first, second, old = make_milestone("A"), make_milestone("B"), make_milestone("C")
    Milestone.objects.filter(pk=first.pk).update(updated_at=BASE + timedelta(days=3))
    Milestone.objects.filter(pk=second.pk).update(updated_at=BASE + timedelta(days=2))
    Milestone.objects.filter(pk=old.pk).update(updated_at=BASE)
    pm = _as(client, cast, "vendor_pm")
    url = f"/api/v1/projects/{cast.own.pk}/milestones"
    since = (BASE + timedelta(days=2)).isoformat()
    assert _ids(pm.get(url, {"updated_since": since})) == [second.pk, first.pk]
    assert _at(pm.get(url).json()["items"][0]["updated_at"]) == BASE + timedelta(days=3)


def test_milestone_patch_honours_if_match_and_answers_the_new_etag(client, cast, make_milestone):
    milestone = make_milestone()
    pm = _as(client, cast, "vendor_pm")
    read = pm.get(f"/api/v1/milestones/{milestone.pk}")
    tag = read["ETag"]
    assert tag == sync.etag(milestone)
    Milestone.objects.filter(pk=milestone.pk).update(updated_at=milestone.updated_at + timedelta(seconds=1))
    stale = pm.patch(
        f"/api/v1/milestones/{milestone.pk}",
        {"name": "改名"},
        content_type="application/json",
        HTTP_IF_MATCH=tag,
    )
    assert stale.status_code == 412
    assert Milestone.objects.get(pk=milestone.pk).name == "要件定義完了"

    current = pm.get(f"/api/v1/milestones/{milestone.pk}")["ETag"]
    done = pm.patch(
        f"/api/v1/milestones/{milestone.pk}",
        {"name": "改名"},
        content_type="application/json",
        HTTP_IF_MATCH=current,
    )
    assert done.status_code == 200, done.content
    assert done["ETag"] == sync.etag(Milestone.objects.get(pk=milestone.pk)) != current


def test_a_summary_task_counts_as_changed_when_a_sub_task_changes(client, cast, make_task):
    parent = make_task("設計")
    child = make_task("画面設計", parent=parent)
    other = make_task("テスト")
    Task.objects.update(updated_at=BASE)
    Task.objects.filter(pk=child.pk).update(updated_at=BASE + timedelta(days=2))
    pm = _as(client, cast, "vendor_pm")
    url = f"/api/v1/projects/{cast.own.pk}/tasks"
    since = (BASE + timedelta(days=1)).isoformat()
    assert _ids(pm.get(url, {"updated_since": since})) == [parent.pk, child.pk]
    rows = {item["id"]: _at(item["updated_at"]) for item in pm.get(url).json()["items"]}
    assert rows[parent.pk] == rows[child.pk] == BASE + timedelta(days=2)
    assert rows[other.pk] == BASE


def test_a_hidden_sub_task_does_not_move_what_the_customer_sees(client, cast, make_task):
    parent = make_task("設計")
    hidden = make_task("社内レビュー", parent=parent, visibility="internal")
    Task.objects.update(updated_at=BASE)
    Task.objects.filter(pk=hidden.pk).update(updated_at=BASE + timedelta(days=2))
    customer = _as(client, cast, "customer_member")
    url = f"/api/v1/projects/{cast.own.pk}/tasks"
    assert _ids(customer.get(url, {"updated_since": (BASE + timedelta(days=1)).isoformat()})) == []


def test_task_progress_patch_honours_if_match(client, cast, make_task):
    task = make_task()
    member = _as(client, cast, "vendor_member")
    tag = member.get(f"/api/v1/tasks/{task.pk}")["ETag"]
    services.task_update_progress(by=cast.users["vendor_pm"], task=task, progress=20)  # someone else
    stale = member.patch(
        f"/api/v1/tasks/{task.pk}", {"progress": 60}, content_type="application/json", HTTP_IF_MATCH=tag
    )
    assert stale.status_code == 412
    assert Task.objects.get(pk=task.pk).progress == 20

    fresh = member.get(f"/api/v1/tasks/{task.pk}")
    assert fresh.json()["progress"] == 20.0
    done = member.patch(
        f"/api/v1/tasks/{task.pk}",
        {"progress": 60},
        content_type="application/json",
        HTTP_IF_MATCH=fresh["ETag"],
    )
    assert done.status_code == 200
    assert (done.json()["progress"], done["ETag"]) == (60.0, sync.etag(Task.objects.get(pk=task.pk)))


def test_the_customer_reads_a_shared_task_but_not_a_vendor_only_one(client, cast, make_task):
    shared, internal = make_task("画面設計"), make_task("社内レビュー", visibility="internal")
    customer = _as(client, cast, "customer_sponsor")
    body = customer.get(f"/api/v1/tasks/{shared.pk}").json()
    assert (body["id"], body["estimate_hours"], body["actual_hours"]) == (shared.pk, None, None)
    assert customer.get(f"/api/v1/tasks/{internal.pk}").status_code == 404


def _report(cast, *, publish):
    pm = cast.users["vendor_pm"]
    report = report_services.report_create_draft(by=pm, project=cast.own, week_start=date(2026, 11, 16))
    return report_services.report_publish(by=pm, report=report) if publish else report


def test_an_acknowledgement_changes_the_reports_etag_and_updated_at(client, cast):
    report = _report(cast, publish=True)
    sponsor = _as(client, cast, "customer_sponsor")
    first = sponsor.get(f"/api/v1/reports/{report.pk}")
    assert sponsor.get(f"/api/v1/reports/{report.pk}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    WeeklyReport.objects.filter(pk=report.pk).update(updated_at=BASE)
    since = (BASE + timedelta(days=1)).isoformat()
    url = f"/api/v1/projects/{cast.own.pk}/reports"
    assert _ids(sponsor.get(url, {"updated_since": since})) == []
    assert sponsor.post(f"/api/v1/reports/{report.pk}/acknowledgements").status_code == 201
    again = sponsor.get(f"/api/v1/reports/{report.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again.json()["acknowledgements"] == 1
    assert _ids(sponsor.get(url, {"updated_since": since})) == [report.pk]


def test_report_patch_honours_if_match(client, cast):
    report = _report(cast, publish=False)
    pm = _as(client, cast, "vendor_pm")
    tag = pm.get(f"/api/v1/reports/{report.pk}")["ETag"]
    url = f"/api/v1/reports/{report.pk}"
    first = pm.patch(url, {"done": "・設計完了"}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert first.status_code == 200, first.content
    assert first["ETag"] != tag
    second = pm.patch(url, {"done": "・上書き"}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert second.status_code == 412
    assert WeeklyReport.objects.get(pk=report.pk).done == "・設計完了"


def test_updated_since_that_is_not_a_time_answers_422(client, cast):
    pm = _as(client, cast, "vendor_pm")
    for path in ("milestones", "tasks", "reports", "flows"):
        response = pm.get(f"/api/v1/projects/{cast.own.pk}/{path}", {"updated_since": "yesterday"})
        assert response.status_code == 422, path
