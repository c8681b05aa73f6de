"""Imports survive a killed worker: nothing of the file is committed, and a re-run creates no duplicates.

Threat: lost or half-written data (issue 10, "Nothing lost"; ASVS V16.5 "errors handled securely", V2.3
business-logic integrity). Each import runs in a separate process (tests/security/crash_child.py) that kills
itself with SIGKILL halfway through the import's writing statements, or with everything written and the
COMMIT about to go: no Python cleanup and no rollback from Django, as when the OOM killer or a deploy ends a
worker. The database must then hold exactly
what it held before; running the same import again must create every row once, and a third run nothing.

On SQLite the test database (in memory) is copied to a file the child writes; on PostgreSQL the child writes
the test database itself (committed data: ``transaction=True``).
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.db import connection

from shinrai.core import backup
from shinrai.progress import wbs_excel
from shinrai.requirements import excel as requirements_excel

ROOT = Path(__file__).resolve().parents[2]
NEW_TASKS = 30
NEW_REQUIREMENTS = 20

pytestmark = pytest.mark.django_db(transaction=True)


class Database:
    """The database the child process writes, and plain-SQL counts read from it after the child is gone."""

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite_file: Path | None = None
        if connection.vendor == "sqlite":
            self.sqlite_file = tmp_path / "crash.sqlite3"
            source, copy = backup._plain_sqlite(connection), sqlite3.connect(self.sqlite_file)
            source.backup(copy)
            source.close()
            copy.close()
            self.url = f"sqlite:///{self.sqlite_file}"
        else:
            s = connection.settings_dict
            login = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = f"postgres://{login}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def count(self, table: str, where: str = "1=1", *params) -> int:
        sql = f"SELECT COUNT(*) FROM {table} WHERE {where}"  # noqa: S608 (test-fixed table names)
        if self.sqlite_file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]
        # A fresh connection: SQLite rolls back what the killed process left in its journal on open.
        db = sqlite3.connect(self.sqlite_file)
        try:
            return db.execute(sql.replace("%s", "?"), params).fetchone()[0]
        finally:
            db.close()

    def run(self, *args, when: str = "0") -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": self.url, "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-m", "tests.security.crash_child", *map(str, args), when],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def killed(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == -signal.SIGKILL


def wbs_file(cast) -> bytes:
    book = openpyxl.load_workbook(
        io.BytesIO(wbs_excel.export_wbs(user=cast.users["vendor_pm"], project=cast.own, language="ja"))
    )
    sheet = book["WBS"]
    sheet.append(["1", "移行作業", None, None, None, None, None, None, None, None, None, "社内とお客様"])
    for number in range(1, NEW_TASKS):
        sheet.append([f"1.{number}", f"データ移行 {number:02d}", None, date(2026, 6, 1), date(2026, 6, 5), 8])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def requirements_file(cast) -> bytes:
    data = requirements_excel.export_requirements(user=cast.users["vendor_pm"], project=cast.own)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[requirements_excel.MAIN_SHEET]
    for number in range(1, NEW_REQUIREMENTS + 1):
        sheet.append(
            [f"NEW-{number}", f"出荷指示{number}件目を60秒以内に取り込めること", "機能", None, "必須"]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(params=["middle", "commit"])
def kill_point(request):
    """Where the worker dies: halfway through the import's writes, or with all written but not committed."""

    def point(db: Database, *args) -> str:
        if request.param == "commit":
            return "commit"
        counted = db.run(*args, when="count")
        assert counted.returncode == 0, counted.stderr
        writes = json.loads(counted.stdout)["writes"]
        assert writes >= 4, writes  # enough to die in the middle of
        return str(writes // 2)

    return point


def test_wbs_import_killed_leaves_nothing_and_a_rerun_creates_each_task_once(cast, tmp_path, kill_point):
    path = tmp_path / "wbs.xlsx"
    path.write_bytes(wbs_file(cast))
    db = Database(tmp_path)
    args = ("wbs", cast.users["vendor_pm"].pk, cast.own.pk, path)
    tasks = ("progress_task", "project_id = %s", cast.own.pk)
    tasks_before, audit_before = db.count(*tasks), db.count("core_auditevent")

    result = db.run(*args, when=kill_point(db, *args))

    assert killed(result), result.stdout + result.stderr
    assert (db.count(*tasks), db.count("core_auditevent")) == (tasks_before, audit_before)

    again = db.run(*args)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"errors": [], "created": NEW_TASKS}
    assert db.count(*tasks) == tasks_before + NEW_TASKS

    third = db.run(*args)
    assert json.loads(third.stdout) == {"errors": [], "created": 0}
    assert db.count(*tasks) == tasks_before + NEW_TASKS


def test_requirements_import_killed_leaves_nothing_and_a_rerun_creates_each_once(cast, tmp_path, kill_point):
    path = tmp_path / "requirements.xlsx"
    path.write_bytes(requirements_file(cast))
    db = Database(tmp_path)
    args = ("requirements", cast.users["vendor_pm"].pk, cast.own.pk, path)
    requirements = ("requirements_requirement", "project_id = %s", cast.own.pk)
    before, audit_before = db.count(*requirements), db.count("core_auditevent")

    result = db.run(*args, when=kill_point(db, *args))

    assert killed(result), result.stdout + result.stderr
    assert (db.count(*requirements), db.count("core_auditevent")) == (before, audit_before)

    again = db.run(*args)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"errors": [], "created": NEW_REQUIREMENTS}
    assert db.count(*requirements) == before + NEW_REQUIREMENTS


def test_redmine_import_killed_leaves_no_project_and_a_rerun_imports_once(cast, tmp_path, kill_point):
    db = Database(tmp_path)
    args = ("redmine", cast.users["vendor_admin"].pk, cast.customer.pk, "-")

    def imported():
        return (
            db.count("core_project", "code = 'SHOP'"),
            db.count("progress_task"),
            db.count("troubles_trouble"),
            db.count("integrations_externalref"),
            db.count("core_auditevent"),
        )

    before = imported()
    result = db.run(*args, when=kill_point(db, *args))

    assert killed(result), result.stdout + result.stderr
    assert imported() == before
    # The run's own row was committed first; it stays "running" and is shown as failed after 3 hours.
    assert db.count("integrations_importrun") == 1

    again = db.run(*args)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"status": "done"}
    after = imported()
    assert after[0] == 1 and after[1] > before[1] and after[2] > before[2]

    third = db.run(*args)
    assert json.loads(third.stdout) == {"status": "done"}
    assert imported()[:4] == after[:4]  # nothing created twice


def test_the_child_dies_only_where_it_is_told(cast, tmp_path):
    # Without this, a kill point the import never reaches would let the tests above pass without a crash.
    path = tmp_path / "wbs.xlsx"
    path.write_bytes(wbs_file(cast))
    db = Database(tmp_path)
    result = db.run("wbs", cast.users["vendor_pm"].pk, cast.own.pk, path, when="100000")
    assert result.returncode == 0 and not killed(result), result.stderr
    assert json.loads(result.stdout)["created"] == NEW_TASKS
