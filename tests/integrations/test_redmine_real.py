"""The Redmine import against a real Redmine 5 (Debian's package, run by scripts/redmine-test-server).

Which Redmine: SHINRAI_REDMINE_URL and SHINRAI_REDMINE_KEY (an administrator's key, REST API on) name one;
otherwise ``scripts/redmine-test-server status`` finds the one the script started before; with
SHINRAI_REDMINE_REAL=1 the script installs and starts it (root and apt). Without any of them the tests skip.

Once per session a new Redmine project (a unique identifier, so runs never collide) is seeded through the
REST API: a few hundred issues in a WBS tree over three versions, troubles on the Bug and Support trackers,
closed issues and journal notes. Expectations are computed from what Redmine's REST API answers, never from
hard-coded numbers.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from shinrai.core.models import AuditEvent, Project
from shinrai.integrations.models import ExternalRef, ImportRun
from shinrai.integrations.redmine import importer, mapping
from shinrai.progress.models import Milestone, Task
from shinrai.troubles.models import InternalNote, Trouble
from tests.clock import _english  # noqa: F401  (autouse: these tests read English messages)

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "redmine-test-server"
TROUBLE_TRACKERS = ["Bug", "Support"]  # Redmine's default trackers; Feature issues become tasks
GROUPS, CHILDREN, TROUBLES = 30, 8, 20  # 30 summary tasks × 8 sub-tasks (+10 grandchildren) + 20 troubles


# --- which Redmine ------------------------------------------------------------------------------------------


def _find_redmine() -> tuple[str, str]:
    url, key = os.environ.get("SHINRAI_REDMINE_URL", ""), os.environ.get("SHINRAI_REDMINE_KEY", "")
    if url and key:
        return url.rstrip("/"), key
    if url or key:
        pytest.skip("set both SHINRAI_REDMINE_URL and SHINRAI_REDMINE_KEY (an administrator's API key)")
    install = os.environ.get("SHINRAI_REDMINE_REAL") == "1"
    try:
        answer = subprocess.run(
            [str(SCRIPT), "start" if install else "status"],
            capture_output=True,
            text=True,
            timeout=900 if install else 30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"no real Redmine: {SCRIPT.name} could not run ({error})")
    words = answer.stdout.split()
    if answer.returncode == 0 and len(words) >= 2:
        return words[-2], words[-1]
    if not install:
        pytest.skip(
            "no real Redmine: set SHINRAI_REDMINE_URL and SHINRAI_REDMINE_KEY, start one with "
            "scripts/redmine-test-server (root, Debian), or set SHINRAI_REDMINE_REAL=1 to let the tests do it"
        )
    reason = " | ".join(answer.stderr.strip().splitlines()[-3:]) or f"exit status {answer.returncode}"
    pytest.skip(f"no real Redmine: scripts/redmine-test-server start failed: {reason}")


class Rest:
    """Just enough of Redmine's REST API to seed a project and read it back (not through the importer)."""

    def __init__(self, url: str, key: str):
        self.url, self.key = url, key

    def __call__(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(  # noqa: S310 (a local test server)
            f"{self.url}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"X-Redmine-API-Key": self.key, "Content-Type": "application/json"},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                raw = answer.read()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: HTTP {error.code} {error.read()[:500]!r}") from None
        return json.loads(raw) if raw.strip() else {}

    def issues(self, project_id: int) -> dict[int, dict]:
        found, offset = {}, 0
        while True:
            page = self(
                "GET", f"/issues.json?project_id={project_id}&status_id=*&sort=id&offset={offset}&limit=100"
            )
            found.update((issue["id"], issue) for issue in page["issues"])
            offset += len(page["issues"])
            if not page["issues"] or offset >= page["total_count"]:
                return found

    def versions(self, identifier: str) -> dict[int, dict]:
        return {v["id"]: v for v in self("GET", f"/projects/{identifier}/versions.json")["versions"]}


@dataclass
class Seeded:
    rest: Rest
    identifier: str
    project_id: int
    trouble_tracker_ids: set[int]
    closed_status_ids: set[int]
    reopened_status_id: int
    notes: dict[int, list[str]] = field(default_factory=dict)  # issue id → journal notes written

    def put(self, issue_id: int, notes: str = "", **fields) -> None:
        self.rest("PUT", f"/issues/{issue_id}.json", {"issue": fields | ({"notes": notes} if notes else {})})
        if notes:
            self.notes.setdefault(issue_id, []).append(notes)


def _seed(rest: Rest) -> Seeded:
    trackers = {t["name"]: t["id"] for t in rest("GET", "/trackers.json")["trackers"]}
    if not {"Feature", *TROUBLE_TRACKERS} <= trackers.keys():
        pytest.skip(
            f"the real Redmine lacks the default trackers Feature, Bug, Support (has {sorted(trackers)})"
        )
    statuses = rest("GET", "/issue_statuses.json")["issue_statuses"]
    closed = next(s["id"] for s in statuses if s["is_closed"])
    reopened = next(s["id"] for s in statuses if not s["is_closed"] and s["id"] != statuses[0]["id"])
    priorities = [p["id"] for p in rest("GET", "/enumerations/issue_priorities.json")["issue_priorities"]]

    identifier = f"shinrai-{time.strftime('%y%m%d%H%M%S')}-{secrets.token_hex(2)}"
    project = rest(
        "POST",
        "/projects.json",
        {
            "project": {
                "name": f"実機テスト {identifier}",
                "identifier": identifier,
                "tracker_ids": [*trackers.values()],
            }
        },
    )["project"]
    seeded = Seeded(
        rest=rest,
        identifier=identifier,
        project_id=project["id"],
        trouble_tracker_ids={trackers[name] for name in TROUBLE_TRACKERS},
        closed_status_ids={s["id"] for s in statuses if s["is_closed"]},
        reopened_status_id=reopened,
    )
    versions = [
        rest("POST", f"/projects/{identifier}/versions.json", {"version": v})["version"]["id"]
        for v in (
            {"name": "第1期", "due_date": "2026-03-31", "description": "要件定義と設計"},
            {"name": "第2期", "due_date": "2026-06-30"},
            {"name": "保守"},  # no due date
        )
    ]

    def issue(**fields) -> int:
        body = {"project_id": project["id"], "tracker_id": trackers["Feature"]} | fields
        return rest("POST", "/issues.json", {"issue": body})["issue"]["id"]

    start = date(2026, 1, 5)
    leaves: list[int] = []
    for g in range(GROUPS):
        version = versions[g % 3]
        parent = issue(subject=f"機能群 {g + 1}", fixed_version_id=version, priority_id=priorities[1])
        for c in range(CHILDREN):
            begin = start + timedelta(days=7 * g + c)
            child = issue(
                subject=f"機能群 {g + 1} の作業 {c + 1}",
                parent_issue_id=parent,
                start_date=begin.isoformat(),
                due_date=(begin + timedelta(days=3 + c)).isoformat(),
                estimated_hours=1.5 * (c % 5) + 0.25 * (g % 3),
                done_ratio=(10 * (c + g)) % 100,
                fixed_version_id=version,
                priority_id=priorities[c % len(priorities)],
            )
            if c == 0 and g < 10:  # a third level
                issue(
                    subject=f"機能群 {g + 1} の作業 1 の詳細",
                    parent_issue_id=child,
                    estimated_hours=2,
                    done_ratio=50,
                )
            else:
                leaves.append(child)
    troubles = [
        issue(
            tracker_id=trackers["Support" if n % 3 == 2 else "Bug"],
            subject=f"課題 {n + 1}: 仕様の確認待ち",
            description=f"顧客の回答待ちで作業 {n + 1} が止まっている。",
            priority_id=priorities[n % len(priorities)],
        )
        for n in range(TROUBLES)
    ]
    for n, iid in enumerate(leaves[::25]):  # some tasks finished, with a note
        seeded.put(iid, f"完了しました ({n})", status_id=closed)
    for n, iid in enumerate(leaves[3::40]):  # notes only
        seeded.put(iid, f"レビュー済み ({n})")
    for n, iid in enumerate(troubles[::3]):  # some troubles closed, with a note
        seeded.put(iid, f"解決済み ({n})", status_id=closed)
    for n, iid in enumerate(troubles[1::4]):
        seeded.put(iid, f"顧客に確認中 ({n})")
    # Issues can only target open versions: the first one is closed last.
    rest("PUT", f"/versions/{versions[0]}.json", {"version": {"status": "closed"}})
    return seeded


@pytest.fixture(scope="session")
def real_redmine():
    url, key = _find_redmine()
    seeded = _seed(Rest(url, key))
    yield seeded
    seeded.rest("DELETE", f"/projects/{seeded.identifier}.json")  # leave the test Redmine as it was


# --- the tests ----------------------------------------------------------------------------------------------


def _import(cast, seeded: Seeded, api_key: str | None = None) -> ImportRun:
    # The service the command, the page and the API use, over the real urllib transport.
    options = importer.Options(
        by=cast.users["vendor_admin"],
        base_url=seeded.rest.url,
        api_key=api_key or seeded.rest.key,
        projects=[seeded.identifier],
        trouble_trackers=TROUBLE_TRACKERS,
        customer=cast.customer,
    )
    return importer.redmine_import(options=options)


def _target(kind: str, external_id: int, base_url: str):
    ref = ExternalRef.objects.get(
        source="redmine", base_url=base_url, kind=kind, external_id=str(external_id)
    )
    return ref.content_type.get_object_for_this_type(pk=ref.object_id)


def _date(value):
    return date.fromisoformat(value) if value else None


def _assert_matches_redmine(seeded: Seeded, issues: dict[int, dict], versions: dict[int, dict]) -> None:
    """Every version, issue and note of the Redmine project is in Shinrai, with Redmine's values."""
    base = seeded.rest.url
    project = Project.objects.get(code=seeded.identifier.upper())
    milestones = {vid: _target("version", vid, base) for vid in versions}
    assert Milestone.objects.filter(project=project).count() == len(versions)
    for vid, version in versions.items():
        milestone = milestones[vid]
        assert milestone.name == version["name"]
        # The first import sets the baseline; later changes of the due date move the forecast.
        assert (milestone.forecast_date or milestone.baseline_date) == _date(version.get("due_date")), vid
        assert (milestone.actual_date is not None) == (version["status"] == "closed"), version

    troubles = {
        i: issue for i, issue in issues.items() if issue["tracker"]["id"] in seeded.trouble_tracker_ids
    }
    tasks = {i: issue for i, issue in issues.items() if i not in troubles}
    assert Task.objects.filter(project=project).count() == len(tasks)
    assert Trouble.objects.filter(project=project).count() == len(troubles)
    parents = {issue["parent"]["id"] for issue in issues.values() if "parent" in issue}
    for iid, issue in tasks.items():
        task = _target("issue", iid, base)
        closed = issue["status"]["id"] in seeded.closed_status_ids
        expected = {
            "name": issue["subject"],
            "planned_start": _date(issue.get("start_date")),
            "planned_finish": _date(issue.get("due_date")),
            "estimate_hours": Decimal(str(issue.get("estimated_hours") or 0)).quantize(Decimal("0.01")),
            "parent": _target("issue", issue["parent"]["id"], base) if "parent" in issue else None,
            "milestone": milestones.get((issue.get("fixed_version") or {}).get("id")),
        }
        assert {name: getattr(task, name) for name in expected} == expected, iid
        if iid not in parents:  # a summary task's progress is rolled up by Shinrai
            assert (task.status == Task.Status.DONE) == closed, iid
            assert task.progress == (100 if closed else issue["done_ratio"]), iid
    for iid, issue in troubles.items():
        trouble = _target("issue", iid, base)
        closed = issue["status"]["id"] in seeded.closed_status_ids
        assert trouble.title == issue["subject"]
        assert trouble.facts == issue["description"]
        assert trouble.kind == mapping.trouble_kind(issue["tracker"]["name"])
        assert trouble.severity == mapping.severity(issue["priority"]["name"])
        assert (trouble.status == Trouble.Status.CLOSED) == closed, iid
    notes_on_troubles = sum(len(n) for iid, n in seeded.notes.items() if iid in troubles)
    notes_on_tasks = sum(len(n) for iid, n in seeded.notes.items() if iid in tasks)
    assert InternalNote.objects.filter(trouble__project=project).count() == notes_on_troubles
    assert AuditEvent.objects.filter(project=project, action="task.redmine_journal").count() == notes_on_tasks


def _totals(project: Project) -> dict[str, int]:
    return {
        "tasks": Task.objects.filter(project=project).count(),
        "milestones": Milestone.objects.filter(project=project).count(),
        "troubles": Trouble.objects.filter(project=project).count(),
        "notes": InternalNote.objects.filter(trouble__project=project).count(),
        "refs": ExternalRef.objects.count(),
        "audit": AuditEvent.objects.filter(project=project).count(),
    }


def _wait_for_next_second() -> None:
    # Redmine's updated_on has whole seconds: a change within the second of the last one would look unchanged.
    time.sleep(1.05 - time.time() % 1)


def test_a_real_redmine_project_imports_the_same_twice_and_then_its_changes(cast, real_redmine):
    seeded = real_redmine
    issues, versions = seeded.rest.issues(seeded.project_id), seeded.rest.versions(seeded.identifier)
    assert len(issues) >= 300

    first = _import(cast, seeded)

    assert first.status == ImportRun.Status.DONE, (first.error, first.summary)
    _assert_matches_redmine(seeded, issues, versions)
    project = Project.objects.get(code=seeded.identifier.upper())
    before = _totals(project)

    second = _import(cast, seeded)

    assert second.status == ImportRun.Status.DONE, (second.error, second.summary)
    counts = second.summary[seeded.identifier]["counts"]
    assert {kind: (c["created"], c["updated"]) for kind, c in counts.items()} == dict.fromkeys(
        importer.KINDS, (0, 0)
    )
    assert counts["task"]["unchanged"] + counts["trouble"]["unchanged"] == len(issues)
    assert counts["milestone"]["unchanged"] == len(versions)
    assert _totals(project) == before  # no duplicates and not one write (the audit trail did not grow)

    # Changed in Redmine: a task's subject and % done, a version's due date, a closed trouble reopened with
    # a note. The third run applies exactly the issues whose updated_on moved (parents recompute theirs).
    _wait_for_next_second()
    parents = {issue["parent"]["id"] for issue in issues.values() if "parent" in issue}
    troubles = {i for i, issue in issues.items() if issue["tracker"]["id"] in seeded.trouble_tracker_ids}
    closed = {i for i, issue in issues.items() if issue["status"]["id"] in seeded.closed_status_ids}
    task_id = next(
        i
        for i, v in issues.items()
        if "parent" in v and i not in parents | troubles | closed and v["done_ratio"] < 90
    )
    seeded.put(
        task_id, subject=issues[task_id]["subject"] + "(改)", done_ratio=issues[task_id]["done_ratio"] + 10
    )
    trouble_id = min(troubles & closed)
    seeded.put(trouble_id, "再発したため再開", status_id=seeded.reopened_status_id)
    version_id = next(
        v for v, version in versions.items() if version["status"] == "open" and version.get("due_date")
    )
    new_due = _date(versions[version_id]["due_date"]) + timedelta(days=14)
    seeded.rest("PUT", f"/versions/{version_id}.json", {"version": {"due_date": new_due.isoformat()}})
    changed_issues, changed_versions = (
        seeded.rest.issues(seeded.project_id),
        seeded.rest.versions(seeded.identifier),
    )
    moved = {i for i in issues if changed_issues[i]["updated_on"] != issues[i]["updated_on"]}
    assert {task_id, trouble_id} <= moved

    third = _import(cast, seeded)

    assert third.status == ImportRun.Status.DONE, (third.error, third.summary)
    counts = third.summary[seeded.identifier]["counts"]
    tasks = set(issues) - troubles
    assert counts["task"] == {"created": 0, "updated": len(moved & tasks), "unchanged": len(tasks - moved)}
    assert counts["trouble"] == {
        "created": 0,
        "updated": len(moved & troubles),
        "unchanged": len(troubles - moved),
    }
    assert counts["milestone"] == {"created": 0, "updated": 1, "unchanged": len(versions) - 1}
    assert counts["journal"]["created"] == 1
    _assert_matches_redmine(seeded, changed_issues, changed_versions)
    reopened = _target("issue", trouble_id, seeded.rest.url)
    assert (reopened.status, reopened.closed_at) == (Trouble.Status.OPEN, None)
    assert _target("version", version_id, seeded.rest.url).forecast_date == new_due
    totals = _totals(project)
    assert (totals["tasks"], totals["milestones"], totals["troubles"]) == (
        before["tasks"],
        before["milestones"],
        before["troubles"],
    )


def test_a_wrong_api_key_is_refused_clearly_and_imports_nothing(cast, real_redmine):
    run = _import(cast, real_redmine, api_key="0" * 40)

    assert run.status == ImportRun.Status.FAILED
    assert "Redmine refused the request (HTTP 401): the API key is wrong" in run.error
    assert not Project.objects.filter(code=real_redmine.identifier.upper()).exists()
    assert (Task.objects.count(), Trouble.objects.count(), ExternalRef.objects.count()) == (0, 0, 0)
