"""The Redmine import against recorded Redmine 5 answers (tests/integrations/redmine_responses/)."""

from __future__ import annotations

import copy
import json
import urllib.parse
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from shinrai.core.models import AuditEvent, Project, Role, Visibility
from shinrai.integrations.models import ExternalRef, ImportRun
from shinrai.integrations.redmine import client as client_module
from shinrai.integrations.redmine import importer, services
from shinrai.integrations.redmine.client import Response
from shinrai.progress.models import Milestone, Task
from shinrai.troubles.models import InternalNote, RootCause, Trouble
from tests.clock import _english  # noqa: F401  (autouse: these tests read English messages)

from ..factories import ProjectMemberFactory

RESPONSES = Path(__file__).parent / "redmine_responses"
BASE = "https://redmine.example.jp"
KEY = "0123456789abcdef0123456789abcdef01234567"


class FakeRedmine:
    """Answers like a Redmine 5 server from the recorded files; ``data`` can be changed between runs.

    ``script[path]`` is a list of canned answers (status, headers, body) used, in order, before the files.
    """

    def __init__(self):
        self.data = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in RESPONSES.glob("*.json")}
        self.script: dict[str, list] = {}
        self.calls: list[str] = []

    def __call__(self, url, headers, timeout):
        parts = urllib.parse.urlsplit(url)
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        path = parts.path
        self.calls.append(f"{path}?{parts.query}" if parts.query else path)
        if self.script.get(path):
            answer = self.script[path].pop(0)
            if isinstance(answer, Exception):
                raise answer
            status, extra, body = answer
            return Response(status, extra, body if isinstance(body, bytes) else json.dumps(body).encode())
        if headers.get("X-Redmine-API-Key") != KEY:
            return Response(401, {}, b"")
        name = self._file(path, query)
        if name not in self.data:
            return Response(404, {}, b"")
        body = copy.deepcopy(self.data[name])
        for key in ("issues", "users", "projects"):
            if key in body and "offset" in query:
                items = body[key]
                offset, limit = int(query["offset"]), int(query["limit"])
                body.update(
                    {key: items[offset : offset + limit], "total_count": len(items), "offset": offset}
                )
        return Response(200, {"content-type": "application/json"}, json.dumps(body).encode())

    @staticmethod
    def _file(path, query):
        segments = path.strip("/").removesuffix(".json").split("/")
        if segments == ["issues"]:
            return f"issues_{query.get('project_id')}"
        if segments == ["users", "current"]:
            return "users_current"
        if segments[0] == "issues":
            return f"issue_{segments[1]}"
        if segments[0] == "projects" and len(segments) == 2:
            return f"project_{segments[1]}"
        if segments[0] == "projects" and segments[2:] == ["versions"]:
            return f"versions_{segments[1]}"
        return segments[0]

    def change_issue(self, issue_id, **fields):
        for issue in self.data["issues_1"]["issues"]:
            if issue["id"] == issue_id:
                issue.update(fields, updated_on="2025-02-10T00:00:00Z")
                self.data[f"issue_{issue_id}"]["issue"].update(fields, updated_on="2025-02-10T00:00:00Z")


def run_import(cast, fake, **overrides) -> ImportRun:
    options = {
        "by": cast.users["vendor_admin"],
        "base_url": BASE,
        "api_key": KEY,
        "projects": ["shop"],
        "trouble_trackers": ["課題", "リスク"],
        "customer": cast.customer,
    } | overrides
    return importer.redmine_import(options=importer.Options(**options), fetch=fake)


@pytest.fixture
def fake():
    return FakeRedmine()


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    monkeypatch.setattr(client_module.time, "sleep", lambda seconds: None)


def _shop(cast):
    return Project.objects.get(code="SHOP")


def test_import_creates_project_milestones_tasks_troubles(cast, fake):
    run = run_import(cast, fake)

    assert run.status == ImportRun.Status.DONE, run.summary
    project = _shop(cast)
    assert (project.vendor_org, project.customer_org, project.name) == (
        cast.vendor,
        cast.customer,
        "ECサイト構築",
    )
    assert project.members.get(user=cast.users["vendor_admin"]).role == Role.VENDOR_PM
    assert Milestone.objects.filter(project=project).count() == 2
    assert Task.objects.filter(project=project).count() == 5
    assert Trouble.objects.filter(project=project).count() == 2
    counts = run.summary["shop"]["counts"]
    assert counts["milestone"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert counts["task"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert counts["trouble"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert counts["journal"] == {"created": 2, "updated": 0, "unchanged": 0}


def test_import_maps_tree_dates_progress_and_milestones(cast, fake):
    run_import(cast, fake)

    project = _shop(cast)
    tasks = {t.name: t for t in Task.objects.filter(project=project)}
    assert tasks["画面設計"].parent == tasks["設計"]
    assert tasks["DB設計"].parent == tasks["設計"]
    assert tasks["API実装"].parent == tasks["実装"]
    assert tasks["設計"].parent is None
    assert (tasks["DB設計"].planned_start, tasks["DB設計"].planned_finish) == (
        date(2025, 1, 13),
        date(2025, 2, 28),
    )
    assert tasks["DB設計"].estimate_hours == Decimal("24.50")
    assert (tasks["DB設計"].progress, tasks["DB設計"].status) == (20, Task.Status.IN_PROGRESS)
    assert (tasks["画面設計"].progress, tasks["画面設計"].status) == (100, Task.Status.DONE)
    assert tasks["画面設計"].completed_at.isoformat() == "2025-01-30T09:00:00+00:00"
    assert tasks["API実装"].status == Task.Status.NOT_STARTED
    assert {t.visibility for t in tasks.values()} == {Visibility.INTERNAL}
    milestones = {m.name: m for m in Milestone.objects.filter(project=project)}
    done = milestones["要件定義完了"]
    assert (done.baseline_date, done.forecast_date, done.actual_date) == (
        date(2025, 1, 31),
        date(2025, 1, 31),
        date(2025, 1, 31),
    )
    assert milestones["リリース"].actual_date is None
    assert tasks["設計"].milestone == done
    assert tasks["実装"].milestone == milestones["リリース"]


def test_import_maps_troubles_and_journals(cast, fake):
    run_import(cast, fake)

    troubles = {t.title: t for t in Trouble.objects.filter(project=_shop(cast))}
    issue = troubles["仕様の確認待ち"]
    assert (issue.kind, issue.severity, issue.status) == ("issue", "high", "open")
    assert issue.facts == "決済方式の仕様が未確定で設計が止まっている。"
    assert issue.detected_at.isoformat() == "2025-01-06T00:00:00+00:00"
    assert issue.visibility == Visibility.INTERNAL and issue.disclosed_at is None
    risk = troubles["要員不足"]
    assert (risk.kind, risk.status) == ("risk", "closed")
    assert risk.closed_at.isoformat() == "2025-01-25T00:00:00+00:00"
    note = InternalNote.objects.get(trouble=issue)
    assert "顧客に確認中。回答は1/24予定。" in note.body and "#1003" in note.body
    task = Task.objects.get(project=_shop(cast), name="画面設計")
    event = AuditEvent.objects.get(action="task.redmine_journal", object_id=str(task.pk))
    assert event.after["notes"] == "レビュー完了。指摘3件は修正済み。"


def test_second_run_creates_nothing_and_applies_a_changed_issue(cast, fake):
    run_import(cast, fake)
    before = {
        "tasks": Task.objects.count(),
        "milestones": Milestone.objects.count(),
        "troubles": Trouble.objects.count(),
        "notes": InternalNote.objects.count(),
        "refs": ExternalRef.objects.count(),
    }
    fake.change_issue(103, subject="DB設計(論理・物理)", done_ratio=60)
    fake.data["issue_103"]["issue"]["journals"] = [
        {
            "id": 1010,
            "user": {"id": 5, "name": "山田 太郎"},
            "notes": "論理設計完了",
            "created_on": "2025-02-10T00:00:00Z",
        }
    ]
    fake.calls.clear()

    run = run_import(cast, fake)

    assert run.status == ImportRun.Status.DONE
    counts = run.summary["shop"]["counts"]
    assert counts["task"] == {"created": 0, "updated": 1, "unchanged": 4}
    assert counts["milestone"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert counts["trouble"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert counts["journal"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert (Task.objects.count(), Milestone.objects.count(), Trouble.objects.count()) == (
        before["tasks"],
        before["milestones"],
        before["troubles"],
    )
    assert ExternalRef.objects.count() == before["refs"] + 1
    task = Task.objects.get(project=_shop(cast), name="DB設計(論理・物理)")
    assert task.progress == 60
    # Journals are fetched only for the changed issue.
    assert [c for c in fake.calls if c.startswith("/issues/")] == ["/issues/103.json?include=journals"]


def test_dry_run_writes_nothing_and_reports_the_plan(cast, fake):
    projects, audit = Project.objects.count(), AuditEvent.objects.count()

    run = run_import(cast, fake, dry_run=True)

    assert run.status == ImportRun.Status.DONE and run.dry_run
    assert run.summary["shop"]["counts"]["task"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert Project.objects.count() == projects
    assert AuditEvent.objects.count() == audit
    assert (Task.objects.count(), Trouble.objects.count(), ExternalRef.objects.count()) == (0, 0, 0)


def test_import_into_an_existing_project_matches_owners_by_email(cast, fake):
    ProjectMemberFactory(project=cast.own, user=cast.users["vendor_admin"], role=Role.VENDOR_PM)

    run = run_import(cast, fake, into=cast.own, customer=None)

    assert run.status == ImportRun.Status.DONE, run.summary
    tasks = {t.name: t for t in Task.objects.filter(project=cast.own)}
    assert tasks["設計"].owner == cast.users["vendor_pm"]
    assert tasks["DB設計"].owner is None  # sato@partner… is no Shinrai user
    assert not Project.objects.filter(code="SHOP").exists()


def test_import_into_a_project_the_admin_may_not_edit_fails(cast, fake):
    run = run_import(cast, fake, into=cast.own, customer=None)

    assert run.status == ImportRun.Status.FAILED
    assert "may not edit project OWN-1" in run.summary["shop"]["error"]
    assert Task.objects.count() == 0


def _assert_nothing_imported():
    assert (
        Project.objects.filter(code="SHOP").count(),
        Task.objects.count(),
        ExternalRef.objects.count(),
    ) == (
        0,
        0,
        0,
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "the API key is wrong"),
        (403, "REST API is disabled"),
    ],
)
def test_refused_key_gives_a_clear_message(cast, fake, status, expected):
    fake.script["/issue_statuses.json"] = [(status, {}, b"")]

    run = run_import(cast, fake)

    assert run.status == ImportRun.Status.FAILED
    assert expected in run.error
    _assert_nothing_imported()


def test_wrong_key_is_refused(cast, fake):
    run = run_import(cast, fake, api_key="wrong")

    assert run.status == ImportRun.Status.FAILED and "HTTP 401" in run.error
    _assert_nothing_imported()


def test_a_key_redmine_does_not_know_is_refused_although_public_reads_answer(cast, fake):
    # A real Redmine treats an unknown key as the anonymous user: public projects, trackers and statuses
    # answer 200, only /users/current.json says 401. Without that check the import ran as anonymous.
    fake.script["/users/current.json"] = [(401, {}, b"")]

    run = run_import(cast, fake)

    assert run.status == ImportRun.Status.FAILED
    assert "Redmine refused the request (HTTP 401): the API key is wrong" in run.error
    assert fake.calls == ["/users/current.json"]
    _assert_nothing_imported()


def test_unknown_project_identifier(cast, fake):
    run = run_import(cast, fake, projects=["nosuch"])

    assert run.status == ImportRun.Status.FAILED
    assert run.summary["nosuch"] == {
        "status": "failed",
        "error": "Redmine has no project nosuch (or the key may not see it).",
    }


def test_rate_limit_is_retried_honouring_retry_after(cast, fake, monkeypatch):
    waits = []
    monkeypatch.setattr(client_module.time, "sleep", waits.append)
    fake.script["/issues.json"] = [(429, {"retry-after": "3"}, b""), (503, {}, b"")]

    run = run_import(cast, fake)

    assert run.status == ImportRun.Status.DONE
    assert waits == [3.0, 2.0]
    assert Task.objects.count() == 5


def test_rate_limit_gives_up_after_retries(cast, fake):
    fake.script["/issues.json"] = [(429, {"retry-after": "1"}, b"")] * 5

    run = run_import(cast, fake)

    assert run.status == ImportRun.Status.FAILED
    assert "rate-limiting or unavailable (HTTP 429) after 4 retries" in run.summary["shop"]["error"]
    _assert_nothing_imported()


def test_timeout_gives_a_clear_message(cast, fake):
    fake.script["/issues/105.json"] = [TimeoutError("timed out")]

    run = run_import(cast, fake)

    assert run.summary["shop"]["status"] == "failed"
    assert "did not answer within 30 seconds (/issues/105.json)" in run.summary["shop"]["error"]
    _assert_nothing_imported()


def test_malformed_json_gives_a_clear_message(cast, fake):
    fake.script["/issues/104.json"] = [(200, {}, b"<html>login</html>")]

    run = run_import(cast, fake)

    assert "is not JSON" in run.summary["shop"]["error"]
    _assert_nothing_imported()


def test_missing_fields_give_a_clear_message(cast, fake):
    del fake.data["issues_1"]["issues"][2]["subject"]

    run = run_import(cast, fake)

    assert run.summary["shop"]["error"] == "Redmine's issue lacks the field subject."
    _assert_nothing_imported()


def test_error_late_in_the_write_rolls_the_whole_project_back(cast, fake):
    # An invalid date on the last issue fails after the other issues were written: none of them stays.
    fake.data["issues_1"]["issues"][-1]["closed_on"] = "not a time"

    run = run_import(cast, fake)

    assert "unreadable time" in run.summary["shop"]["error"]
    _assert_nothing_imported()
    assert AuditEvent.objects.filter(action__startswith="task.").count() == 0


def test_failing_second_project_keeps_the_first(cast, fake):
    fake.script["/issues.json"] = []
    fake.data["issues_2"] = {"issues": "broken", "total_count": 1}

    run = run_import(cast, fake, projects=["shop", "ops"])

    assert run.status == ImportRun.Status.FAILED
    assert run.summary["shop"]["status"] == "ok"
    assert run.summary["ops"] == {
        "status": "failed",
        "error": "Redmine's answer for /issues.json lacks the list issues.",
    }
    assert run.error == "Failed: ops"
    assert Task.objects.filter(project__code="SHOP").count() == 5
    assert not Project.objects.filter(code="OPS").exists()


def test_pages_are_followed(cast, fake, monkeypatch):
    monkeypatch.setattr(client_module, "PAGE_SIZE", 3)

    run = run_import(cast, fake)

    assert run.summary["shop"]["counts"]["task"]["created"] == 5
    assert [c for c in fake.calls if c.startswith("/issues.json")] == [
        f"/issues.json?project_id=1&status_id=%2A&subproject_id=%21%2A&sort=id&offset={n}&limit=3"
        for n in (0, 3, 6)
    ]


def test_unknown_trouble_tracker_fails_before_writing(cast, fake):
    run = run_import(cast, fake, trouble_trackers=["問題"])

    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("Redmine has no tracker 問題")
    _assert_nothing_imported()


def test_key_without_user_list_matches_owner_by_name(cast, fake):
    fake.script["/users.json"] = [(403, {}, b"")]
    pm = cast.users["vendor_pm"]
    pm.display_name = "山田 太郎"
    pm.save(update_fields=["display_name"])
    ProjectMemberFactory(project=cast.own, user=cast.users["vendor_admin"], role=Role.VENDOR_PM)

    run = run_import(cast, fake, into=cast.own, customer=None)

    assert run.status == ImportRun.Status.DONE
    assert Task.objects.get(project=cast.own, name="設計").owner == pm


def _reopen_risk_in_redmine(fake):
    fake.change_issue(202, status={"id": 2, "name": "進行中", "is_closed": False}, closed_on=None)


def test_a_trouble_the_import_closed_is_reopened_when_redmine_reopens_it(cast, fake):
    run_import(cast, fake)
    risk = Trouble.objects.get(project=_shop(cast), title="要員不足")
    assert risk.status == Trouble.Status.CLOSED
    _reopen_risk_in_redmine(fake)

    run = run_import(cast, fake)

    risk.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.summary
    assert run.summary["shop"]["counts"]["trouble"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert (risk.status, risk.closed_at) == (Trouble.Status.OPEN, None)
    event = AuditEvent.objects.get(action="trouble.reopen_imported", object_id=str(risk.pk))
    assert event.after["source"] == "Redmine #202" and event.before == {"status": "closed"}
    # Closed again in Redmine: closed again, and a third run with nothing new leaves it so.
    fake.change_issue(
        202, status={"id": 5, "name": "終了", "is_closed": True}, closed_on="2025-02-11T00:00:00Z"
    )
    for issue in (fake.data["issues_1"]["issues"][-1], fake.data["issue_202"]["issue"]):
        issue["updated_on"] = "2025-02-11T00:00:00Z"  # change_issue stamps 02-10, as the reopening was
    run_import(cast, fake)
    risk.refresh_from_db()
    assert risk.status == Trouble.Status.CLOSED
    assert run_import(cast, fake).summary["shop"]["counts"]["trouble"]["updated"] == 0


def test_a_trouble_closed_in_shinrai_stays_closed_when_redmine_reopens_it(cast, fake):
    run_import(cast, fake)
    risk = Trouble.objects.get(project=_shop(cast), title="要員不足")
    # Closed in Shinrai: trouble_close writes the root cause (the post-mortem) that the import never writes.
    RootCause.objects.create(trouble=risk, summary="要員計画の見直し漏れ", written_by=cast.users["vendor_pm"])
    _reopen_risk_in_redmine(fake)

    run = run_import(cast, fake)

    risk.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.summary
    assert risk.status == Trouble.Status.CLOSED
    assert not AuditEvent.objects.filter(action="trouble.reopen_imported").exists()


def test_a_run_left_running_by_a_dead_worker_is_failed_by_the_next_run(cast, fake):
    dead = ImportRun.objects.create(started_by=cast.users["vendor_admin"], base_url=BASE)
    recent = ImportRun.objects.create(started_by=cast.users["vendor_admin"], base_url=BASE)
    ImportRun.objects.filter(pk=dead.pk).update(
        started_at=timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    )

    run = run_import(cast, fake)

    dead.refresh_from_db()
    recent.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert dead.status == ImportRun.Status.FAILED and dead.finished_at is not None
    assert "stopped without finishing" in dead.error
    assert recent.status == ImportRun.Status.RUNNING  # younger than the timeout: maybe still working
