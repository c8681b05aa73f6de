"""Access expectations: the Redmine import (pages and API).

Only vendor administrators (``vendor_admin``: staff of vendor V) may open the import page, start an
import and list the recent runs; everyone else gets 404 on pages and 403 on the API. A run is visible to
the administrators of the vendor that started it: ``own`` (started by V's administrator) and ``foreign``
(started by someone of V2).
"""

from __future__ import annotations

from .matrix import Expect

RUN_TARGETS = ("own", "foreign")


def _admin_page(role, target):
    if role == "anonymous":
        return 302
    return 200 if role == "vendor_admin" and target in (None, "own") else 404


def _api_read(role, target):
    if role == "anonymous":
        return 401
    return 200 if role == "vendor_admin" and target == "own" else 404


def _api_start(role, target):
    if role == "anonymous":
        return 401
    return 202 if role == "vendor_admin" else 403


def _api_list(role, target):
    if role == "anonymous":
        return 401
    return 200 if role == "vendor_admin" else 403


def run_kwargs(name: str):
    def kwargs(cast, target, user):
        from shinrai.integrations.models import ImportRun

        by = cast.users["vendor_admin" if target == "own" else "other_vendor_manager"]
        run = ImportRun.objects.create(
            started_by=by, base_url="https://redmine.example.jp", projects=["shop"]
        )
        return {name: run.pk}

    return kwargs


EXPECTATIONS: dict[str, Expect] = {
    "integrations:redmine_import": Expect(_admin_page),
    "integrations:redmine_import_run": Expect(_admin_page, run_kwargs("pk"), RUN_TARGETS),
    # The page's "Recent imports": 200 for vendor administrators (V's runs only), 403 for everyone else.
    "api:list_redmine_imports": Expect(_api_list),
    "api:get_redmine_import": Expect(_api_read, run_kwargs("run_id"), RUN_TARGETS),
    "api:start_redmine_import": Expect(
        _api_start,
        method="post",
        # A closed local port: if the queued import ever ran here, it would fail at once.
        data=lambda cast, target, user: {"url": "http://127.0.0.1:9", "api_key": "k", "dry_run": True},
    ),
}
