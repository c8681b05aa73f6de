"""The access matrix: every URL pattern and API route × every role × own / other / foreign tenant.

Routes are discovered from the URL resolver, so a new route without an entry in EXPECTATIONS fails
``test_every_route_has_an_expectation``. Expected answers are written out by hand here (not derived from
shinrai.core.access), so that a change of the access rule shows up as a failing cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shinrai.core import calendar_feed, services
from shinrai.progress import report_services
from shinrai.progress import services as progress_services
from shinrai.requirements import services as requirement_services

from ..conftest import CAST_ROLES
from . import (
    matrix_accounts,
    matrix_flows,
    matrix_flows_api,
    matrix_grayzone,
    matrix_me_api,
    matrix_more_api,
    matrix_notifications,
    matrix_partnership,
    matrix_records_api,
    matrix_redmine,
    matrix_requirements_api,
    matrix_survey_results,
    matrix_surveys,
    matrix_troubles_api,
    matrix_trust,
    matrix_webhooks,
)
from .matrix import (
    CAN_COMMENT,
    CAN_CONTRIBUTE,
    CAN_DECIDE,
    CAN_DISCUSS_REPORTS,
    CAN_EDIT,
    CAN_SEE_INTERNAL,
    CAN_SEE_REPORTS,
    CAN_VIEW,
    PROJECT_TARGETS,
    ROLES,
    VENDOR_USERS,
    Expect,
    api_write,
    page,
    page_post,
    project_kwargs,
    project_page,
)


def own_token_kwargs(cast, target, user):
    owner = user if (target == "own" and user is not None) else cast.users["vendor_pm"]
    token, _clear = services.api_token_create(user=owner, name="matrix")
    return {"pk": token.pk}


def feed_secret_kwargs(cast, target, user):
    """Calendar feeds: the role's own feed secret (the session plays no part); anonymous has none."""
    secret = "x" * 43 if user is None else calendar_feed.calendar_feed_token_issue(user=user)
    return {"secret": secret} | ({} if target is None else {"pk": getattr(cast, target).pk})


def revoke_status(role, target):
    if role == "anonymous":
        return 302
    if target == "own" or role == "vendor_pm":
        # vendor_pm owns the "other" token too, so both are theirs: revoked, then back to settings.
        return 302
    return 404


# Requirements: "own" is shared with the customer (not with partners), "own_internal" is vendor-only.
REQUIREMENT_TARGETS = ("own", "own_internal", "other", "foreign")
CAN_SEE_REQUIREMENT = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "customer_sponsor", "customer_member"},
    "own_internal": {"vendor_manager", "vendor_pm", "vendor_member"},
    "other": {"vendor_manager", "outsider_customer"},
    "foreign": {"other_vendor_manager"},
}
CAN_CHANGE_REQUIREMENT = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member"},
    "own_internal": {"vendor_manager", "vendor_pm", "vendor_member"},
    "other": {"vendor_manager"},
    "foreign": {"other_vendor_manager"},
}
CRITERION = {"metric": "応答時間", "operator": "lte", "threshold": "2", "unit": "秒", "method": "負荷試験"}


def _requirement(cast, target):
    project_name = target.removesuffix("_internal")
    author = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}[project_name]
    return requirement_services.requirement_create(
        by=cast.users[author],
        project=getattr(cast, project_name),
        text="在庫一覧を2秒以内に表示すること",
        visibility="internal" if target.endswith("_internal") else "customer",
        criteria=[CRITERION],
    )


def requirement_kwargs(cast, target, user):
    return {"requirement_id": _requirement(cast, target).pk}


def criterion_kwargs(cast, target, user):
    return {"criterion_id": _requirement(cast, target).criteria.get().pk}


_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}


def _by_project(allowed: dict[str, set[str]]) -> dict[str, set[str]]:
    return allowed | {"own_internal": allowed["own"]}


def requirement_page_kwargs(cast, target, user):
    project = getattr(cast, target.removesuffix("_internal"))
    return {"pk": project.pk, "requirement_id": _requirement(cast, target).pk}


def stakeholder_kwargs(cast, target, user):
    project = getattr(cast, target)
    stakeholder = requirement_services.stakeholder_save(
        by=cast.users[_AUTHOR[target]], project=project, name="現場担当", category="field_staff"
    )
    return {"pk": project.pk, "stakeholder_id": stakeholder.pk}


def goal_kwargs(cast, target, user):
    project = getattr(cast, target)
    goal = requirement_services.goal_save(
        by=cast.users[_AUTHOR[target]], project=project, title="目的", success_definition="当日中に回答できる"
    )
    return {"pk": project.pk, "goal_id": goal.pk}


def open_review_kwargs(cast, target, user):
    _requirement(cast, target)
    project = getattr(cast, target)
    requirement_services.review_submit(by=cast.users[_AUTHOR[target]], project=project)
    return {"pk": project.pk}


# Progress: tasks and milestones "own" are shared with the customer, "own_partners" also with partner
# vendors, "own_internal" with nobody outside the vendor.
ITEM_TARGETS = ("own", "own_partners", "own_internal", "other", "foreign")
CAN_SEE_ITEM = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "customer_sponsor", "customer_member"},
    "own_partners": CAN_VIEW["own"],
    "own_internal": {"vendor_manager", "vendor_pm", "vendor_member"},
    "other": {"vendor_manager", "outsider_customer"},
    "foreign": {"other_vendor_manager"},
}


def _by_item_project(allowed: dict[str, set[str]]) -> dict[str, set[str]]:
    return allowed | {"own_partners": allowed["own"], "own_internal": allowed["own"]}


def _item_project(cast, target):
    project_name = target.removesuffix("_internal").removesuffix("_partners")
    visibility = {"_internal": "internal", "_partners": "partners"}.get(
        target[len(project_name) :], "customer"
    )
    return getattr(cast, project_name), cast.users[_AUTHOR[project_name]], visibility


def _task(cast, target):
    project, author, visibility = _item_project(cast, target)
    return progress_services.task_save(by=author, project=project, name="画面設計", visibility=visibility)


def task_kwargs(cast, target, user):
    return {"task_id": _task(cast, target).pk}


def task_page_kwargs(cast, target, user):
    task = _task(cast, target)
    return {"pk": task.project_id, "task_id": task.pk}


def milestone_page_kwargs(cast, target, user):
    project, author, visibility = _item_project(cast, target)
    milestone = progress_services.milestone_save(
        by=author, project=project, name="要件定義完了", visibility=visibility
    )
    return {"pk": project.pk, "milestone_id": milestone.pk}


# Weekly reports are shared with the customer, never with partner vendors: 404 for them.


def _report(cast, target, *, publish: bool):
    project, author = getattr(cast, target), cast.users[_AUTHOR[target]]
    report = report_services.report_create_draft(by=author, project=project, week_start=date(2025, 1, 6))
    return report_services.report_publish(by=author, report=report) if publish else report


def draft_report_kwargs(cast, target, user):
    return {"pk": getattr(cast, target).pk, "report_id": _report(cast, target, publish=False).pk}


def published_report_kwargs(cast, target, user):
    return {"pk": getattr(cast, target).pk, "report_id": _report(cast, target, publish=True).pk}


def api_draft_kwargs(cast, target, user):
    return {"report_id": _report(cast, target, publish=False).pk}


def api_published_kwargs(cast, target, user):
    return {"report_id": _report(cast, target, publish=True).pk}


def api_milestone_kwargs(cast, target, user):
    return {"milestone_id": milestone_page_kwargs(cast, target, user)["milestone_id"]}


def comment_data(cast, target, user):
    """Customers ask a new question; vendor roles answer one (asked here directly: the foreign project has
    no customer member)."""
    if user is None or not user.is_vendor:
        return {"body": "進捗の根拠を教えてください"}
    from shinrai.progress.models import ReportComment, WeeklyReport

    report = WeeklyReport.objects.get(project=getattr(cast, target), version=1)
    question = ReportComment.objects.create(report=report, author=None, body="質問")
    return {"body": "回答します", "parent_id": question.pk}


# The glossary belongs to a vendor organization: every user of the vendor reads it, its managers and the PMs
# of its projects change it (403 for the other vendor users), nobody else sees it (404).
GLOSSARY_READERS = VENDOR_USERS
GLOSSARY_EDITORS = {"own": {"vendor_manager", "vendor_pm"}, "foreign": {"other_vendor_manager"}}
GLOSSARY_VENDOR = {
    "own": {"vendor_manager", "vendor_pm", "vendor_member", "vendor_admin"},
    "foreign": {"other_vendor_manager"},
}


def glossary_status(success: int):
    def status(role, target):
        if role == "anonymous":
            return 302
        if target is None:
            vendor_users = GLOSSARY_READERS
            editors = GLOSSARY_EDITORS["own"] | GLOSSARY_EDITORS["foreign"]
        else:
            vendor_users, editors = GLOSSARY_VENDOR[target], GLOSSARY_EDITORS[target]
        if role in editors:
            return success
        return 403 if role in vendor_users else 404

    return status


def glossary_term_kwargs(cast, target, user):
    from shinrai.progress.models import PlainLanguageTerm

    vendor = {"own": cast.vendor, "foreign": cast.other_vendor}[target]
    term = PlainLanguageTerm.objects.create(vendor_org=vendor, term="PMO", plain_ja="管理の事務局")
    return {"term_id": term.pk}


# Ledger (requests, change requests, the hash-chained record): vendor pages for vendor roles; the portal page
# for vendor and customer roles, never partner vendors (404); requests are made by customer roles, change
# requests are decided by the customer sponsor only.
_ASKER = {"own": "customer_sponsor", "other": "outsider_customer", "foreign": "other_vendor_manager"}


def _ledger_request_kwargs(cast, target, user):
    from datetime import timedelta

    from django.utils import timezone

    from shinrai.ledger import services as ledger_services

    project = getattr(cast, target)
    item = ledger_services.request_create(
        by=cast.users[_ASKER[target]],
        project=project,
        title="資料提出",
        due_at=timezone.now() + timedelta(days=1),
    )
    return {"pk": project.pk, "request_id": item.pk}


def _ledger_change_kwargs(*, propose: bool):
    def kwargs(cast, target, user):
        from shinrai.ledger import services as ledger_services

        project, author = getattr(cast, target), cast.users[_AUTHOR[target]]
        change = ledger_services.change_create(
            by=author,
            project=project,
            title="帳票追加",
            description="帳票を1本追加",
            reason="顧客要望",
            cost_impact=500_000,
            schedule_impact_days=5,
        )
        if propose:
            change = ledger_services.change_propose(by=author, change=change)
        return {"pk": project.pk, "change_id": change.pk}

    return kwargs


def _api_proposed_change_kwargs(cast, target, user):
    found = _ledger_change_kwargs(propose=True)(cast, target, user)
    return {"project_id": found["pk"], "change_id": found["change_id"]}


def _api_draft_change_kwargs(cast, target, user):
    found = _ledger_change_kwargs(propose=False)(cast, target, user)
    return {"project_id": found["pk"], "change_id": found["change_id"]}


def _api_customer_request_kwargs(cast, target, user):
    found = _ledger_request_kwargs(cast, target, user)
    return {"project_id": found["pk"], "request_id": found["request_id"]}


# Troubles: "own" is disclosed to the customer, "own_partners" also to partner vendors, "own_internal" is not
# disclosed (vendor only). The portal shows disclosed troubles only, to vendor roles as a preview too.
CAN_SEE_DISCLOSED_TROUBLE = CAN_SEE_ITEM | {"own_internal": set()}


def _trouble(cast, target, *, propose: bool = False):
    from datetime import timedelta

    from django.utils import timezone

    from shinrai.troubles import services as trouble_services

    project, author, visibility = _item_project(cast, target)
    trouble = trouble_services.trouble_create(
        by=author,
        project=project,
        kind="incident",
        title="夜間バッチ停止",
        facts="夜間バッチが停止した",
        detected_at=timezone.now() - timedelta(hours=2),
        severity="high",
    )
    if visibility != "internal":
        trouble_services.trouble_disclose(
            by=author, trouble=trouble, version=trouble.version, visibility=visibility
        )
    if propose:
        trouble_services.option_add(by=author, trouble=trouble, description="再実行する")
        trouble_services.trouble_propose(by=author, trouble=trouble, version=trouble.version)
    return trouble


def trouble_kwargs(cast, target, user):
    trouble = _trouble(cast, target)
    return {"pk": trouble.project_id, "trouble_id": trouble.pk}


def proposed_trouble_kwargs(cast, target, user):
    trouble = _trouble(cast, target, propose=True)
    return {"pk": trouble.project_id, "trouble_id": trouble.pk}


def follow_up_kwargs(cast, target, user):
    from shinrai.troubles.models import FollowUp

    trouble = _trouble(cast, target)
    return {
        "pk": trouble.project_id,
        "trouble_id": trouble.pk,
        "follow_up_id": FollowUp.objects.create(trouble=trouble, action="監視追加").pk,
    }


def api_trouble_kwargs(cast, target, user):
    return {"trouble_id": _trouble(cast, target).pk}


def trouble_patch_data(cast, target, user):
    from shinrai.troubles.models import Trouble

    project = getattr(cast, target.removesuffix("_internal").removesuffix("_partners"))
    return {"version": Trouble.objects.filter(project=project).latest("pk").version, "severity": "low"}


def prevention_kwargs(cast, target, user):
    from shinrai.troubles.models import Prevention

    trouble = _trouble(cast, target)
    return {
        "pk": trouble.project_id,
        "trouble_id": trouble.pk,
        "prevention_id": Prevention.objects.create(trouble=trouble, measure="手順書整備").pk,
    }


EXPECTATIONS: dict[str, Expect] = {
    # Sign-in and password reset: open to everyone; a signed-in visitor of the login page is sent home.
    "login": Expect(lambda role, target: 200 if role == "anonymous" else 302),
    "logout": Expect(page(405, 405)),  # log-out is POST only
    "password_reset": Expect(page(200, 200)),
    "password_reset_done": Expect(page(200, 200)),
    "password_reset_confirm": Expect(page(200, 200), kwargs=lambda c, t, u: {"uidb64": "MQ", "token": "x-y"}),
    "password_reset_complete": Expect(page(200, 200)),
    # Vendor workspace.
    "core:home": Expect(page(302)),
    "core:portfolio": Expect(
        lambda role, target: 302 if role == "anonymous" else 200 if role in VENDOR_USERS else 404
    ),
    "core:project_home": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    # Customer portal.
    "core:portal": Expect(page()),
    "core:portal_project": Expect(project_page(CAN_VIEW), project_kwargs(), PROJECT_TARGETS),
    # Personal settings.
    "core:me": Expect(page()),
    "core:api_token_revoke": Expect(revoke_status, own_token_kwargs, ("own", "other"), method="post"),
    "core:set_language": Expect(page(405, 405)),  # POST only
    # Calendar feed URL (settings actions, POST) and the feeds: no login, the secret is the credential;
    # an unknown secret and a project the owner may not see both answer 404.
    "calendar:regenerate": Expect(page(302), method="post"),
    "calendar:revoke": Expect(page(302), method="post"),
    "calendar:feed": Expect(page(200, 404), kwargs=feed_secret_kwargs),
    "calendar:project_feed": Expect(
        project_page(CAN_VIEW, anonymous=404), feed_secret_kwargs, PROJECT_TARGETS
    ),
    "core:healthz": Expect(page(200, 200)),
    "favicon": Expect(page(301, 301)),
    # JSON API: 401 without credentials, 404 for projects the caller may not see.
    "api:list_projects": Expect(page(200, 401)),
    "api:get_project": Expect(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:openapi-json": Expect(page(200, 200)),
    "api:api-root": Expect(page(404, 404)),  # /api/v1/ itself has no content
    "api:openapi-view": Expect(page(200, 200)),
    # Requirements API: writes need a vendor role; others who can see the item get 403, the rest 404.
    "api:list_requirements": Expect(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:create_requirement": Expect(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"text": "在庫一覧を2秒以内に表示すること", "criteria": [CRITERION]},
    ),
    "api:get_requirement": Expect(
        project_page(CAN_SEE_REQUIREMENT, anonymous=401), requirement_kwargs, REQUIREMENT_TARGETS
    ),
    "api:update_requirement": Expect(
        api_write(CAN_SEE_REQUIREMENT, CAN_CHANGE_REQUIREMENT, 200),
        requirement_kwargs,
        REQUIREMENT_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"priority": "should"},
    ),
    "api:add_criterion": Expect(
        api_write(CAN_SEE_REQUIREMENT, CAN_CHANGE_REQUIREMENT, 201),
        requirement_kwargs,
        REQUIREMENT_TARGETS,
        method="post",
        data=lambda cast, target, user: CRITERION | {"metric": "検索応答時間"},
    ),
    "api:delete_criterion": Expect(
        api_write(CAN_SEE_REQUIREMENT, CAN_CHANGE_REQUIREMENT, 204),
        criterion_kwargs,
        REQUIREMENT_TARGETS,
        method="delete",
    ),
    "api:check_verifiability": Expect(
        page(200, 401), method="post", data=lambda cast, target, user: {"text": "画面は迅速に表示されること"}
    ),
    "api:list_baselines": Expect(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    # Requirements workspace (vendor roles) and the customer's review in the portal.
    "requirements:home": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "requirements:catalogue": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "requirements:stakeholder_new": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "requirements:stakeholder_edit": Expect(
        project_page(CAN_CONTRIBUTE), stakeholder_kwargs, PROJECT_TARGETS
    ),
    "requirements:goal_new": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "requirements:goal_edit": Expect(project_page(CAN_CONTRIBUTE), goal_kwargs, PROJECT_TARGETS),
    "requirements:requirement_new": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "requirements:requirement_edit": Expect(
        project_page(_by_project(CAN_CONTRIBUTE)), requirement_page_kwargs, REQUIREMENT_TARGETS
    ),
    "requirements:requirement_withdraw": Expect(
        page_post(_by_project(CAN_CONTRIBUTE)), requirement_page_kwargs, REQUIREMENT_TARGETS, method="post"
    ),
    "requirements:review_submit": Expect(
        page_post(CAN_EDIT), project_kwargs(), PROJECT_TARGETS, method="post"
    ),
    "requirements:review_withdraw": Expect(
        page_post(CAN_EDIT), open_review_kwargs, PROJECT_TARGETS, method="post"
    ),
    "requirements:export": Expect(project_page(CAN_VIEW), project_kwargs(), PROJECT_TARGETS),
    "requirements:import": Expect(
        page_post(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS, method="post"
    ),
    "requirements:portal": Expect(project_page(CAN_VIEW), project_kwargs(), PROJECT_TARGETS),
    "requirements:portal_comment": Expect(
        page_post(CAN_COMMENT), requirement_page_kwargs, PROJECT_TARGETS, method="post"
    ),
    "requirements:portal_approve": Expect(
        page_post(CAN_DECIDE), open_review_kwargs, PROJECT_TARGETS, method="post"
    ),
    # Progress API: everyone on the project reads milestones and tasks (as far as their visibility allows);
    # writes need a vendor role; others who can see the task get 403, the rest 404.
    "api:list_milestones": Expect(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:list_tasks": Expect(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:create_task": Expect(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"name": "画面設計", "estimate_hours": "8"},
    ),
    "api:update_task_progress": Expect(
        api_write(CAN_SEE_ITEM, _by_item_project(CAN_CONTRIBUTE), 200),
        task_kwargs,
        ITEM_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"progress": 30},
    ),
    "api:replace_task_plan": Expect(
        api_write(CAN_SEE_ITEM, _by_item_project(CAN_CONTRIBUTE), 200),
        task_kwargs,
        ITEM_TARGETS,
        method="put",
        data=lambda cast, target, user: {"name": "画面設計", "estimate_hours": "8"},
    ),
    # Progress workspace (vendor roles) and the customer's roadmap in the portal.
    "progress:roadmap": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "progress:milestone_new": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "progress:milestone_edit": Expect(
        project_page(_by_item_project(CAN_CONTRIBUTE)), milestone_page_kwargs, ITEM_TARGETS
    ),
    "progress:milestone_actual": Expect(
        page_post(_by_item_project(CAN_CONTRIBUTE)), milestone_page_kwargs, ITEM_TARGETS, method="post"
    ),
    "progress:wbs": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    # WBS in Excel: the download for the roles that see the WBS (hours are vendor data), the import page
    # (its form; the upload posts to the same URL) for those who edit it.
    "progress:wbs_export": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "progress:wbs_import": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "progress:task_new": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "progress:task_edit": Expect(
        project_page(_by_item_project(CAN_CONTRIBUTE)), task_page_kwargs, ITEM_TARGETS
    ),
    "progress:task_progress": Expect(
        page_post(_by_item_project(CAN_CONTRIBUTE)), task_page_kwargs, ITEM_TARGETS, method="post"
    ),
    "progress:task_delete": Expect(
        page_post(_by_item_project(CAN_CONTRIBUTE)), task_page_kwargs, ITEM_TARGETS, method="post"
    ),
    "progress:portal_roadmap": Expect(project_page(CAN_VIEW), project_kwargs(), PROJECT_TARGETS),
    "api:create_milestone": Expect(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"name": "要件定義完了", "baseline_date": "2026-12-04"},
    ),
    "api:update_milestone": Expect(
        api_write(CAN_SEE_ITEM, _by_item_project(CAN_CONTRIBUTE), 200),
        api_milestone_kwargs,
        ITEM_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"name": "要件定義完了（改）"},
    ),
    "api:delete_task": Expect(
        api_write(CAN_SEE_ITEM, _by_item_project(CAN_CONTRIBUTE), 204),
        task_kwargs,
        ITEM_TARGETS,
        method="delete",
    ),
    # Charts: the Gantt and the burndown/earned-value page for vendor roles, the schedule for every role.
    "progress:gantt": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "progress:progress_charts": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "progress:portal_schedule": Expect(project_page(CAN_VIEW), project_kwargs(), PROJECT_TARGETS),
    # Weekly reports: written by vendor roles, published by PM and manager, read by customers, never partners.
    "reports:list": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "reports:new": Expect(
        page_post(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS
    ),  # no week: back to list
    "reports:edit": Expect(project_page(CAN_CONTRIBUTE), draft_report_kwargs, PROJECT_TARGETS),
    "reports:publish": Expect(page_post(CAN_EDIT), draft_report_kwargs, PROJECT_TARGETS, method="post"),
    "reports:correct": Expect(project_page(CAN_EDIT), published_report_kwargs, PROJECT_TARGETS),
    "reports:portal_list": Expect(project_page(CAN_SEE_REPORTS), project_kwargs(), PROJECT_TARGETS),
    "reports:portal_detail": Expect(project_page(CAN_SEE_REPORTS), published_report_kwargs, PROJECT_TARGETS),
    # Report downloads: the vendor's for vendor roles (drafts too), the portal's as the portal page.
    "reports:pdf": Expect(project_page(CAN_SEE_INTERNAL), draft_report_kwargs, PROJECT_TARGETS),
    "reports:xlsx": Expect(project_page(CAN_SEE_INTERNAL), draft_report_kwargs, PROJECT_TARGETS),
    "reports:portal_pdf": Expect(project_page(CAN_SEE_REPORTS), published_report_kwargs, PROJECT_TARGETS),
    "reports:portal_xlsx": Expect(project_page(CAN_SEE_REPORTS), published_report_kwargs, PROJECT_TARGETS),
    "reports:portal_acknowledge": Expect(
        page_post(CAN_COMMENT), published_report_kwargs, PROJECT_TARGETS, method="post"
    ),
    "reports:portal_comment": Expect(
        page_post(CAN_DISCUSS_REPORTS), published_report_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:list_reports": Expect(
        project_page(CAN_SEE_REPORTS, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:get_report": Expect(
        project_page(CAN_SEE_REPORTS, anonymous=401),
        lambda cast, target, user: {"report_id": _report(cast, target, publish=True).pk},
        PROJECT_TARGETS,
    ),
    # Report writes through the API: drafts are seen by vendor roles only, so customers get 404 there.
    "api:create_report": Expect(
        api_write(CAN_SEE_REPORTS, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"week_start": "2025-01-06"},
    ),
    "api:update_report": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_CONTRIBUTE, 200),
        api_draft_kwargs,
        PROJECT_TARGETS,
        method="patch",
        data=lambda cast, target, user: {"done": "・画面設計を完了しました"},
    ),
    "api:publish_report": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 200), api_draft_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:correct_report": Expect(
        api_write(CAN_SEE_REPORTS, CAN_EDIT, 201),
        api_published_kwargs,
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"correction_note": "完了日の誤記を訂正", "done": "・訂正"},
    ),
    "api:acknowledge_report": Expect(
        api_write(CAN_SEE_REPORTS, CAN_COMMENT, 201), api_published_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:list_report_comments": Expect(
        project_page(CAN_SEE_REPORTS, anonymous=401), api_published_kwargs, PROJECT_TARGETS
    ),
    "api:create_report_comment": Expect(
        api_write(CAN_SEE_REPORTS, CAN_DISCUSS_REPORTS, 201),
        api_published_kwargs,
        PROJECT_TARGETS,
        method="post",
        data=comment_data,
    ),
    "api:report_plain_language": Expect(
        api_write(CAN_SEE_REPORTS, CAN_SEE_INTERNAL, 200), api_published_kwargs, PROJECT_TARGETS
    ),
    # The vendor's glossary (not a project page): see GLOSSARY_* above.
    "reports:glossary": Expect(
        lambda role, target: 302 if role == "anonymous" else 200 if role in GLOSSARY_READERS else 404
    ),
    "reports:glossary_new": Expect(glossary_status(200)),
    "reports:glossary_edit": Expect(glossary_status(200), glossary_term_kwargs, ("own", "foreign")),
    "reports:glossary_delete": Expect(
        glossary_status(302), glossary_term_kwargs, ("own", "foreign"), method="post"
    ),
    # Troubles: the register and its writes for vendor roles (404 for everyone else); the portal's list and
    # detail for everyone on the project as far as the trouble is disclosed to them; the sponsor chooses.
    "troubles:register": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "troubles:new": Expect(project_page(CAN_CONTRIBUTE), project_kwargs(), PROJECT_TARGETS),
    "troubles:export_xlsx": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "troubles:export_csv": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "troubles:detail": Expect(project_page(_by_item_project(CAN_SEE_INTERNAL)), trouble_kwargs, ITEM_TARGETS),
    "troubles:edit": Expect(project_page(_by_item_project(CAN_CONTRIBUTE)), trouble_kwargs, ITEM_TARGETS),
    "troubles:disclose": Expect(page_post(CAN_EDIT), trouble_kwargs, PROJECT_TARGETS, method="post"),
    "troubles:analyse": Expect(page_post(CAN_CONTRIBUTE), trouble_kwargs, PROJECT_TARGETS, method="post"),
    "troubles:note": Expect(page_post(CAN_CONTRIBUTE), trouble_kwargs, PROJECT_TARGETS, method="post"),
    "troubles:option": Expect(page_post(CAN_CONTRIBUTE), trouble_kwargs, PROJECT_TARGETS, method="post"),
    "troubles:propose": Expect(page_post(CAN_EDIT), trouble_kwargs, PROJECT_TARGETS, method="post"),
    "troubles:decide": Expect(page_post(CAN_EDIT), proposed_trouble_kwargs, PROJECT_TARGETS, method="post"),
    "troubles:follow_up": Expect(page_post(CAN_CONTRIBUTE), trouble_kwargs, PROJECT_TARGETS, method="post"),
    "troubles:follow_up_done": Expect(
        page_post(CAN_CONTRIBUTE), follow_up_kwargs, PROJECT_TARGETS, method="post"
    ),
    "troubles:close": Expect(project_page(CAN_EDIT), trouble_kwargs, PROJECT_TARGETS),
    "troubles:prevention_done": Expect(
        page_post(CAN_CONTRIBUTE), prevention_kwargs, PROJECT_TARGETS, method="post"
    ),
    "troubles:portal_list": Expect(project_page(CAN_VIEW), project_kwargs(), PROJECT_TARGETS),
    "troubles:portal_detail": Expect(project_page(CAN_SEE_DISCLOSED_TROUBLE), trouble_kwargs, ITEM_TARGETS),
    "troubles:portal_pdf": Expect(project_page(CAN_SEE_DISCLOSED_TROUBLE), trouble_kwargs, ITEM_TARGETS),
    "troubles:portal_choose": Expect(
        page_post(CAN_DECIDE), proposed_trouble_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:list_troubles": Expect(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:get_trouble": Expect(project_page(CAN_SEE_ITEM, anonymous=401), api_trouble_kwargs, ITEM_TARGETS),
    "api:create_trouble": Expect(
        api_write(CAN_VIEW, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {
            "kind": "risk",
            "title": "性能不足のおそれ",
            "facts": "負荷試験で応答が遅い",
            "detected_at": "2026-01-05T10:00:00+09:00",
            "severity": "high",
        },
    ),
    "api:update_trouble": Expect(
        api_write(CAN_SEE_ITEM, _by_item_project(CAN_CONTRIBUTE), 200),
        api_trouble_kwargs,
        ITEM_TARGETS,
        method="patch",
        data=trouble_patch_data,
    ),
    # Ledger: see _ASKER above.
    "ledger:index": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "ledger:record": Expect(page_post(CAN_EDIT), project_kwargs(), PROJECT_TARGETS, method="post"),
    "ledger:export_json": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "ledger:export_pdf": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "ledger:requests": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "ledger:requests_xlsx": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "ledger:requests_csv": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "ledger:portal_requests_xlsx": Expect(project_page(CAN_SEE_REPORTS), project_kwargs(), PROJECT_TARGETS),
    "ledger:portal_requests_csv": Expect(project_page(CAN_SEE_REPORTS), project_kwargs(), PROJECT_TARGETS),
    "ledger:request_acknowledge": Expect(
        page_post(CAN_CONTRIBUTE), _ledger_request_kwargs, PROJECT_TARGETS, method="post"
    ),
    "ledger:request_answer": Expect(
        page_post(CAN_CONTRIBUTE), _ledger_request_kwargs, PROJECT_TARGETS, method="post"
    ),
    "ledger:request_close": Expect(
        page_post(CAN_CONTRIBUTE), _ledger_request_kwargs, PROJECT_TARGETS, method="post"
    ),
    "ledger:changes": Expect(project_page(CAN_SEE_INTERNAL), project_kwargs(), PROJECT_TARGETS),
    "ledger:change_propose": Expect(
        page_post(CAN_EDIT), _ledger_change_kwargs(propose=False), PROJECT_TARGETS, method="post"
    ),
    "ledger:change_withdraw": Expect(
        page_post(CAN_EDIT), _ledger_change_kwargs(propose=False), PROJECT_TARGETS, method="post"
    ),
    "ledger:portal": Expect(project_page(CAN_SEE_REPORTS), project_kwargs(), PROJECT_TARGETS),
    "ledger:portal_export_json": Expect(project_page(CAN_SEE_REPORTS), project_kwargs(), PROJECT_TARGETS),
    "ledger:portal_export_pdf": Expect(project_page(CAN_SEE_REPORTS), project_kwargs(), PROJECT_TARGETS),
    "ledger:portal_request_create": Expect(
        page_post(CAN_COMMENT), project_kwargs(), PROJECT_TARGETS, method="post"
    ),
    "ledger:portal_change_approve": Expect(
        page_post(CAN_DECIDE), _ledger_change_kwargs(propose=True), PROJECT_TARGETS, method="post"
    ),
    "ledger:portal_change_reject": Expect(
        page_post(CAN_DECIDE), _ledger_change_kwargs(propose=True), PROJECT_TARGETS, method="post"
    ),
    "api:get_ledger": Expect(
        project_page(CAN_SEE_REPORTS, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:list_customer_requests": Expect(
        project_page(CAN_SEE_REPORTS, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:create_customer_request": Expect(
        api_write(CAN_SEE_REPORTS, CAN_COMMENT, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"title": "資料提出", "due_at": "2030-01-10T18:00:00+09:00"},
    ),
    "api:list_change_requests": Expect(
        project_page(CAN_SEE_REPORTS, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:decide_change_request": Expect(
        api_write(CAN_SEE_REPORTS, CAN_DECIDE, 200),
        _api_proposed_change_kwargs,
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"approve": True, "note": "了承"},
    ),
    "api:record_ledger_entry": Expect(
        api_write(CAN_SEE_REPORTS, CAN_EDIT, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"kind": "agreement", "subject": "定例会で合意"},
    ),
    "api:acknowledge_customer_request": Expect(
        api_write(CAN_SEE_REPORTS, CAN_CONTRIBUTE, 200),
        _api_customer_request_kwargs,
        PROJECT_TARGETS,
        method="post",
    ),
    "api:answer_customer_request": Expect(
        api_write(CAN_SEE_REPORTS, CAN_CONTRIBUTE, 200),
        _api_customer_request_kwargs,
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"answer": "提出しました"},
    ),
    "api:close_customer_request": Expect(
        api_write(CAN_SEE_REPORTS, CAN_CONTRIBUTE, 200),
        _api_customer_request_kwargs,
        PROJECT_TARGETS,
        method="post",
    ),
    "api:create_change_request": Expect(
        api_write(CAN_SEE_REPORTS, CAN_CONTRIBUTE, 201),
        project_kwargs("project_id"),
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"title": "帳票追加", "description": "帳票を1本", "reason": "要望"},
    ),
    # drafts: customers do not see them (404); vendor members see them but may not propose or withdraw (403)
    "api:propose_change_request": Expect(
        api_write(CAN_CONTRIBUTE, CAN_EDIT, 200), _api_draft_change_kwargs, PROJECT_TARGETS, method="post"
    ),
    "api:withdraw_change_request": Expect(
        api_write(CAN_CONTRIBUTE, CAN_EDIT, 200), _api_draft_change_kwargs, PROJECT_TARGETS, method="post"
    ),
}
for _area in (
    matrix_surveys,
    matrix_survey_results,
    matrix_accounts,
    matrix_trust,
    matrix_flows,
    matrix_flows_api,
    matrix_notifications,
    matrix_webhooks,
    matrix_redmine,
    matrix_troubles_api,
    matrix_requirements_api,
    matrix_more_api,
    matrix_records_api,
    matrix_me_api,
    matrix_grayzone,
    matrix_partnership,
):
    EXPECTATIONS.update(_area.EXPECTATIONS)

# Django's admin guards every one of its routes with the staff check; the matrix checks that guard
# on the index and on a project's change page (see test_admin_is_for_vendor_administrators_only).
ADMIN_NAMESPACE = "admin"


def iter_routes(patterns=None, namespace: str | None = None) -> Iterator[tuple[str, str]]:
    """(name, route) for every URL pattern, named with its namespace like reverse() wants it."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from iter_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or str(entry.pattern)
            yield (f"{namespace}:{name}" if namespace else name), str(entry.pattern)


def test_every_route_has_an_expectation():
    missing = sorted(
        {name for name, _route in iter_routes() if not name.startswith(f"{ADMIN_NAMESPACE}:")}
        - set(EXPECTATIONS)
    )
    assert missing == [], f"Routes without an access expectation: {missing}"


def test_no_expectation_is_stale():
    names = {name for name, _route in iter_routes()}
    assert sorted(set(EXPECTATIONS) - names) == []


def _cells() -> Iterator[tuple[str, str, str | None]]:
    for name, expect in EXPECTATIONS.items():
        for role in ROLES:
            for target in expect.targets:
                yield name, role, target


@pytest.mark.parametrize(("name", "role", "target"), list(_cells()))
def test_access_matrix(client, cast, name, role, target):
    expect = EXPECTATIONS[name]
    user = cast.users.get(role)
    if user is not None:
        client.force_login(user)
    kwargs = expect.kwargs(cast, target, user) if expect.kwargs else {}
    send = getattr(client, expect.method)
    if expect.data is None:
        response = send(reverse(name, kwargs=kwargs))
    else:
        response = send(
            reverse(name, kwargs=kwargs), expect.data(cast, target, user), content_type="application/json"
        )
    assert response.status_code == expect.status(role, target), (
        f"{expect.method.upper()} {name} as {role} on {target}: {response.status_code}"
    )


EXPECTED_PROJECTS = {
    "vendor_manager": {"OWN-1", "OTHER-1"},
    "vendor_pm": {"OWN-1"},
    "vendor_member": {"OWN-1"},
    "customer_sponsor": {"OWN-1"},
    "customer_member": {"OWN-1"},
    "partner_viewer": {"OWN-1"},
    "outsider_customer": {"OTHER-1"},
    "outsider_partner": set(),
    "vendor_admin": set(),
    "other_vendor_manager": {"FOREIGN-1"},
}


@pytest.mark.parametrize("role", CAST_ROLES)
def test_lists_show_exactly_the_visible_projects(client, cast, role):
    client.force_login(cast.users[role])
    api_codes = {p["code"] for p in client.get("/api/v1/projects/").json()["items"]}
    assert api_codes == EXPECTED_PROJECTS[role]
    portal = client.get(reverse("core:portal")).content.decode()
    for project in (cast.own, cast.other, cast.foreign):
        assert (project.name in portal) == (project.code in EXPECTED_PROJECTS[role]), project.code
    if role in VENDOR_USERS:
        portfolio = client.get(reverse("core:portfolio")).content.decode()
        for project in (cast.own, cast.other, cast.foreign):
            assert (project.code in portfolio) == (project.code in EXPECTED_PROJECTS[role]), project.code


@pytest.mark.parametrize(
    "role", ["customer_sponsor", "customer_member", "partner_viewer", "outsider_customer"]
)
def test_internal_fields_never_reach_customers_or_partners(client, cast, role):
    client.force_login(cast.users[role])
    for project in (cast.own, cast.other):
        for url in (
            reverse("core:portal"),
            reverse("core:portal_project", args=[project.pk]),
            f"/api/v1/projects/{project.pk}",
            "/api/v1/projects/",
        ):
            body = client.get(url).content.decode()
            assert project.internal_note not in body, url
            assert "internal_note" not in body or '"internal_note":null' in body.replace(" ", ""), url


def test_partner_does_not_see_the_contract_amount(client, cast):
    client.force_login(cast.users["partner_viewer"])
    detail = client.get(f"/api/v1/projects/{cast.own.pk}").json()
    assert detail["contract_amount"] is None
    page_html = client.get(reverse("core:portal_project", args=[cast.own.pk])).content.decode()
    assert "10,000,000" not in page_html


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_vendor_administrators_only(client, cast, role):
    user = cast.users.get(role)
    if user is not None:
        client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:core_project_change", args=[cast.own.pk])):
        response = client.get(url)
        if role == "vendor_admin":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
