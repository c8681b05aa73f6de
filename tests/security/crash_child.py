"""A worker that dies mid-import, for test_import_crash_safety.py (run as a separate process, not by pytest).

    python -m tests.security.crash_child KIND USER_ID PROJECT_OR_CUSTOMER_ID FILE_OR_- WHEN

DATABASE_URL names the database. WHEN says where the process kills itself with SIGKILL (no cleanup and no
rollback from Python, like a worker ended by the OOM killer or a deploy):

* ``N`` (> 0): right before its N+1-th writing statement (INSERT, UPDATE or DELETE);
* ``commit``: right before the first COMMIT of a transaction that wrote something (all of it written);
* ``0``: never; the import's result is printed as JSON;
* ``count``: never; the import runs inside a transaction that is rolled back, and the number of writing
  statements it made is printed (to pick a kill point in the middle).
"""

from __future__ import annotations

import json
import os
import signal
import sys

WRITES = ("INSERT", "UPDATE", "DELETE")


class Writes:
    """Counts the writing statements; kills the process at the chosen point."""

    def __init__(self, when: str) -> None:
        self.when = when
        self.seen = 0
        self.uncommitted = 0
        from django.db.backends import utils
        from django.db.backends.base.base import BaseDatabaseWrapper

        utils.CursorWrapper.execute = self._wrap_execute(utils.CursorWrapper.execute)
        utils.CursorWrapper.executemany = self._wrap_execute(utils.CursorWrapper.executemany)
        commit = BaseDatabaseWrapper._commit

        def _commit(wrapper):
            if self.when == "commit" and self.uncommitted:
                os.kill(os.getpid(), signal.SIGKILL)
            self.uncommitted = 0
            return commit(wrapper)

        BaseDatabaseWrapper._commit = _commit

    def _wrap_execute(self, original):
        def execute(cursor, sql, *args, **kwargs):
            if sql.lstrip()[:6].upper() in WRITES:
                self.seen += 1
                self.uncommitted += 1
                if self.when.isdigit() and 0 < int(self.when) < self.seen:
                    os.kill(os.getpid(), signal.SIGKILL)
            return original(cursor, sql, *args, **kwargs)

        return execute


def main(kind: str, user_id: str, target_id: str, path: str, when: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinrai.settings")
    import django

    django.setup()
    from django.db import transaction

    from shinrai.core.models import User

    user = User.objects.get(pk=user_id)
    writes = Writes(when)
    if when == "count":
        try:
            with transaction.atomic():
                run_import(kind, user, target_id, path)
                raise _RollBack
        except _RollBack:
            print(json.dumps({"writes": writes.seen}))
        return
    print(json.dumps(run_import(kind, user, target_id, path), ensure_ascii=False))


class _RollBack(Exception):
    pass


def run_import(kind: str, user, target_id: str, path: str) -> dict:
    from shinrai.core.models import Organization, Project

    if kind == "wbs":
        from shinrai.progress import wbs_excel

        project = Project.objects.get(pk=target_id)
        with open(path, "rb") as file:
            result = wbs_excel.import_wbs(user=user, project=project, file=file.read(), language="ja")
        return {"errors": [str(e) for e in result.errors], "created": result.created}
    elif kind == "requirements":
        from shinrai.requirements import excel

        project = Project.objects.get(pk=target_id)
        with open(path, "rb") as file:
            result = excel.import_requirements(user=user, project=project, file=file.read())
        return {"errors": [str(e) for e in result.errors], "created": result.created}
    elif kind == "redmine":
        from shinrai.integrations.redmine import importer
        from tests.integrations.test_redmine_import import BASE, KEY, FakeRedmine

        options = importer.Options(
            by=user,
            base_url=BASE,
            api_key=KEY,
            projects=["shop"],
            trouble_trackers=["課題", "リスク"],
            customer=Organization.objects.get(pk=target_id),
        )
        run = importer.redmine_import(options=options, fetch=FakeRedmine())
        return {"status": run.status}
    raise SystemExit(f"unknown kind {kind!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
