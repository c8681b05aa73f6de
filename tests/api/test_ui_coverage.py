"""Issue 8: what a user can see or do in the UI can be read or done through /api/v1/.

UI_TO_API maps every non-API, non-admin URL name of the site to either
  - a tuple of API route names (``api:<name>`` as the resolver names them) that give the same data or do the
    same action, for the roles that use the page (a portal page maps to the routes that also serve
    customers), or
  - a reason string: "not API: …" (not data or an action: sign-in, health check, language switch…),
    "file: …" (a download or upload whose data or action the API offers in another form, naming those
    routes), "by design: …" (kept out of the API on purpose, with the reason: credentials are managed on
    the pages only),
    or "gap: …" (data or an action with no API equivalent; each one is listed in KNOWN_GAPS).

Audited by reading each view and its API module. Figures a page derives from data the API returns (e.g. the
portfolio's report punctuality from the reports' ``published_at``) count as covered; such cases carry a
comment. Routes are discovered from the resolver, so a new page without an entry fails, and so does a closed
gap that is still listed, or a route that was renamed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

ADMIN_NAMESPACE = "admin"
API_NAMESPACE = "api"

UI_TO_API: dict[str, tuple[str, ...] | str] = {
    # --- Sign-in and site plumbing ----------------------------------------------------------------------
    "login": "not API: session sign-in page; the API authenticates with a bearer token",
    "logout": "not API: ends the browser session",
    "password_reset": "not API: password reset by e-mail",
    "password_reset_done": "not API: password reset confirmation page",
    "password_reset_confirm": "not API: password reset link from the e-mail",
    "password_reset_complete": "not API: password reset confirmation page",
    "favicon": "not API: static icon redirect",
    "core:home": "not API: redirect to the portfolio or the portal",
    "core:healthz": "not API: load balancer health check",
    "core:set_language": "not API: language switch of the browser session",
    # --- Core -------------------------------------------------------------------------------------------
    # Punctuality (on time / late / missing per week) derives from the reports' week_start and published_at.
    "core:portfolio": ("api:list_projects", "api:list_reports"),
    "core:project_home": ("api:get_project", "api:list_project_members", "api:list_project_activity"),
    "core:portal": ("api:list_projects",),
    # "Waiting for your acknowledgement" is the latest report's acknowledged_by_me.
    "core:portal_project": (
        "api:get_project",
        "api:list_project_members",
        "api:list_milestones",
        "api:get_progress_charts",
        "api:list_reports",
        "api:get_report",
        "api:get_requirements_review",
        "api:list_troubles",
        "api:list_change_requests",
    ),
    # API tokens and the calendar feed link on this page are page-only by design (see
    # core:api_token_revoke, calendar:regenerate and shinrai/core/api_me.py).
    "core:me": ("api:get_me", "api:update_me", "api:get_notification_preferences"),
    "core:api_token_revoke": "by design: API tokens are made and revoked on the settings page only, so "
    "that a leaked token can neither mint new credentials nor outlive its revocation by making one",
    # --- Requirements -----------------------------------------------------------------------------------
    "requirements:home": (
        "api:list_requirements",
        "api:list_stakeholders",
        "api:list_goals",
        "api:list_baselines",
        "api:get_requirements_review",
        "api:list_requirement_changes",
        "api:list_requirement_comments",
    ),
    "requirements:stakeholder_new": ("api:create_stakeholder",),
    "requirements:stakeholder_edit": ("api:get_stakeholder", "api:update_stakeholder"),
    "requirements:goal_new": ("api:create_goal",),
    "requirements:goal_edit": ("api:get_goal", "api:update_goal"),
    "requirements:requirement_new": ("api:create_requirement", "api:check_verifiability"),
    "requirements:requirement_edit": (
        "api:get_requirement",
        "api:update_requirement",
        "api:add_criterion",
        "api:delete_criterion",
        "api:check_verifiability",
    ),
    "requirements:requirement_withdraw": ("api:withdraw_requirement",),
    "requirements:catalogue": ("api:list_requirement_templates",),
    "requirements:review_submit": ("api:submit_requirements_review",),
    "requirements:review_withdraw": ("api:withdraw_requirements_review",),
    "requirements:export": "file: .xlsx of api:list_requirements with criteria and goals (api:list_goals)",
    "requirements:import": "file: .xlsx upload, all or nothing; the API adds and changes requirements one "
    "at a time (api:create_requirement, api:update_requirement)",
    "requirements:portal": (
        "api:list_requirements",
        "api:list_goals",
        "api:list_baselines",
        "api:get_requirements_review",
        "api:list_requirement_changes",
        "api:list_requirement_comments",
    ),
    "requirements:portal_comment": ("api:create_requirement_comment",),
    "requirements:portal_approve": ("api:approve_requirements_review",),
    # --- Progress ---------------------------------------------------------------------------------------
    # "On schedule?" (late milestones, SPI) is derived from the milestones' slip and the earned value figures.
    "progress:roadmap": ("api:list_goals", "api:list_milestones", "api:get_progress_charts"),
    "progress:milestone_new": ("api:create_milestone",),
    "progress:milestone_edit": ("api:get_milestone", "api:update_milestone"),
    "progress:milestone_actual": ("api:update_milestone",),  # actual_date
    "progress:wbs": ("api:list_tasks",),
    "progress:wbs_export": "file: .xlsx of api:list_tasks",
    "progress:wbs_import": "file: .xlsx upload, all or nothing; the API adds and changes tasks one at a time "
    "(api:create_task, api:replace_task_plan, api:update_task_progress)",
    "progress:task_new": ("api:create_task",),
    "progress:task_edit": ("api:get_task", "api:replace_task_plan"),
    "progress:task_progress": ("api:update_task_progress",),
    "progress:task_delete": ("api:delete_task",),
    "progress:gantt": ("api:get_gantt",),
    "progress:progress_charts": ("api:get_progress_charts",),
    # Customers get the burndown in percent: "x % done, y % planned" is read from it, not from hours.
    "progress:portal_roadmap": ("api:list_goals", "api:list_milestones", "api:get_progress_charts"),
    "progress:portal_schedule": ("api:get_gantt", "api:get_progress_charts"),
    # --- Weekly reports and the glossary ----------------------------------------------------------------
    "reports:glossary": ("api:list_glossary_terms",),
    "reports:glossary_new": ("api:create_glossary_term",),
    "reports:glossary_edit": ("api:get_glossary_term", "api:update_glossary_term"),
    "reports:glossary_delete": ("api:delete_glossary_term",),
    # Late and missing weeks are derived from the project's dates and the reports' published_at.
    "reports:list": ("api:list_reports",),
    "reports:new": ("api:create_report",),
    "reports:edit": ("api:get_report", "api:update_report", "api:report_plain_language"),
    "reports:publish": ("api:publish_report",),
    "reports:correct": ("api:correct_report",),
    "reports:pdf": "file: PDF of api:get_report",
    "reports:xlsx": "file: .xlsx of api:get_report",
    "reports:portal_list": ("api:list_reports",),
    "reports:portal_detail": (
        "api:get_report",
        "api:list_reports",
        "api:list_report_comments",
        "api:get_gantt",
        "api:get_progress_charts",
    ),
    "reports:portal_pdf": "file: PDF of api:get_report",
    "reports:portal_xlsx": "file: .xlsx of api:get_report",
    "reports:portal_acknowledge": ("api:acknowledge_report",),
    "reports:portal_comment": ("api:create_report_comment",),
    # --- Calendar feed ----------------------------------------------------------------------------------
    "calendar:feed": "file: iCalendar of api:list_milestones and api:list_customer_requests, with the weekly "
    "report deadlines (see api:list_reports); read with the feed's secret, not a token",
    "calendar:project_feed": "file: iCalendar of one project's api:list_milestones and "
    "api:list_customer_requests, with its report deadlines",
    "calendar:regenerate": "by design: the calendar link is a credential; like API tokens it is issued on "
    "the settings page only",
    "calendar:revoke": "by design: the calendar link is a credential, managed on the settings page only",
    # --- Troubles ---------------------------------------------------------------------------------------
    # The register's disclosure figures derive from detected_at / disclosed_at / disclosure_due_at.
    "troubles:register": ("api:list_troubles",),
    "troubles:new": ("api:create_trouble",),
    "troubles:export_xlsx": "file: .xlsx of api:list_troubles",
    "troubles:export_csv": "file: CSV of api:list_troubles",
    # The vendor-only "similar past troubles" hint is computed on the page; the troubles themselves are
    # readable through api:list_troubles of each project.
    "troubles:detail": ("api:get_trouble", "api:list_trouble_notes"),
    "troubles:edit": ("api:get_trouble", "api:update_trouble"),
    "troubles:disclose": ("api:disclose_trouble",),
    "troubles:analyse": ("api:start_trouble_analysis",),
    "troubles:note": ("api:create_trouble_note",),
    "troubles:option": ("api:add_trouble_option",),
    "troubles:propose": ("api:propose_trouble_options",),
    "troubles:decide": ("api:record_trouble_decision",),
    "troubles:follow_up": ("api:add_trouble_follow_up",),
    "troubles:follow_up_done": ("api:mark_follow_up_done",),
    "troubles:close": ("api:close_trouble",),
    "troubles:prevention_done": ("api:mark_prevention_done",),
    "troubles:portal_list": ("api:list_troubles",),
    "troubles:portal_detail": ("api:get_trouble",),
    "troubles:portal_pdf": "file: PDF report of api:get_trouble",
    "troubles:portal_choose": ("api:choose_trouble_option",),
    # --- Ledger, customer requests and change requests --------------------------------------------------
    "ledger:index": (
        "api:get_ledger",
        "api:ledger_chain",
        "api:contract_value",
        "api:list_customer_requests",
        "api:customer_request_indicators",
    ),
    "ledger:record": ("api:record_ledger_entry",),
    "ledger:export_json": ("api:ledger_export",),
    "ledger:export_pdf": "file: PDF of api:get_ledger (verifiable form: api:ledger_export)",
    "ledger:requests": ("api:list_customer_requests", "api:customer_request_indicators"),
    "ledger:requests_xlsx": "file: .xlsx of api:list_customer_requests",
    "ledger:requests_csv": "file: CSV of api:list_customer_requests",
    "ledger:portal_requests_xlsx": "file: .xlsx of api:list_customer_requests",
    "ledger:portal_requests_csv": "file: CSV of api:list_customer_requests",
    "ledger:request_acknowledge": ("api:acknowledge_customer_request",),
    "ledger:request_answer": ("api:answer_customer_request",),
    "ledger:request_close": ("api:close_customer_request",),
    "ledger:changes": ("api:list_change_requests", "api:create_change_request"),
    "ledger:change_propose": ("api:propose_change_request",),
    "ledger:change_withdraw": ("api:withdraw_change_request",),
    "ledger:portal": (
        "api:get_ledger",
        "api:ledger_chain",
        "api:contract_value",
        "api:list_customer_requests",
        "api:customer_request_indicators",
        "api:list_change_requests",
    ),
    "ledger:portal_export_json": ("api:ledger_export",),
    "ledger:portal_export_pdf": "file: PDF of api:get_ledger (verifiable form: api:ledger_export)",
    "ledger:portal_request_create": ("api:create_customer_request",),
    "ledger:portal_change_approve": ("api:decide_change_request",),
    "ledger:portal_change_reject": ("api:decide_change_request",),
    # --- Surveys ----------------------------------------------------------------------------------------
    "surveys:templates": ("api:list_survey_templates",),
    "surveys:template_detail": ("api:get_survey_template",),
    "surveys:template_copy": ("api:copy_survey_template",),
    "surveys:template_edit": ("api:get_survey_template", "api:update_survey_template"),
    "surveys:list": ("api:list_project_surveys",),
    "surveys:new": ("api:create_project_survey",),
    "surveys:detail": ("api:get_survey",),
    "surveys:remind": ("api:remind_survey",),
    "surveys:close": ("api:close_survey",),
    "surveys:portal_answer": (
        "api:list_my_survey_invitations",
        "api:get_survey_invitation_answer",
        "api:post_survey_invitation_answer",
    ),
    "surveys:answer": ("api:get_survey_answer", "api:post_survey_answer"),
    "survey_results:project": ("api:project_survey_results",),
    "survey_results:project_pdf": "file: PDF of api:project_survey_results",
    "survey_results:project_xlsx": "file: .xlsx of api:project_survey_results",
    "survey_results:account": ("api:account_survey_results",),
    "survey_results:account_pdf": "file: PDF of api:account_survey_results",
    "survey_results:account_xlsx": "file: .xlsx of api:account_survey_results",
    "survey_results:vendor": ("api:vendor_survey_results",),
    "survey_results:vendor_pdf": "file: PDF of api:vendor_survey_results",
    "survey_results:vendor_xlsx": "file: .xlsx of api:vendor_survey_results",
    # --- Accounts and trust -----------------------------------------------------------------------------
    "accounts:list": ("api:list_accounts",),
    # Its partnership section (both sides and the conversations to have) is api:get_partnership.
    "accounts:detail": ("api:get_account", "api:list_account_signals", "api:get_partnership"),
    "accounts:plan_edit": ("api:get_account_plan", "api:update_account_plan"),
    "accounts:step_new": ("api:create_account_roadmap_step",),
    "accounts:step_edit": ("api:get_account", "api:update_account_roadmap_step"),
    "accounts:step_delete": ("api:delete_account_roadmap_step",),
    "accounts:person_new": ("api:create_account_key_person",),
    "accounts:person_edit": ("api:get_account", "api:update_account_key_person"),
    "accounts:person_delete": ("api:delete_account_key_person",),
    "accounts:person_met": ("api:mark_account_key_person_met",),
    "accounts:signal_new": ("api:create_account_signal",),
    "trust:portfolio": ("api:trust_portfolio",),
    "trust:definitions": ("api:trust_definitions",),
    "trust:account": ("api:account_trust",),
    "trust:project": ("api:project_trust",),
    # --- Business flows ---------------------------------------------------------------------------------
    "flows:list": ("api:flows", "api:flow_create", "api:flow_gaps"),
    "flows:gaps": ("api:flow_gaps",),
    # Comment counts per step come from api:flow_step_comments of each step.
    "flows:detail": (
        "api:flow",
        "api:flow_steps",
        "api:flow_links",
        "api:flow_diagram_svg",
        "api:flow_svg",
        "api:flow_step_comments",
    ),
    "flows:edit": ("api:flow", "api:flow_update"),
    "flows:version_new": ("api:flow_version_upload",),
    "flows:version_download": ("api:flow_source",),
    "flows:compare": ("api:flow_compare", "api:flow_diagram_svg"),
    "flows:pdf": "file: PDF of api:flow, api:flow_svg and api:flow_steps with their api:flow_links",
    "flows:step": ("api:flow_steps", "api:flow_links", "api:flow_step_comments", "api:flow_svg"),
    "flows:link_new": ("api:flow_link_add",),
    "flows:comment_new": ("api:flow_comment_add",),
    "flows:link_delete": ("api:flow_link_delete",),
    # --- Notifications, webhooks, Redmine ---------------------------------------------------------------
    "integrations:notifications": ("api:list_notifications", "api:notifications_unread_count"),
    "integrations:notification_open": ("api:mark_notification_read",),  # then follows its url
    "integrations:notifications_read_all": ("api:mark_all_notifications_read",),
    "integrations:notification_preferences": (
        "api:get_notification_preferences",
        "api:update_notification_preferences",
    ),
    "integrations:webhook_list": ("api:list_webhooks",),
    "integrations:webhook_create": ("api:create_webhook",),
    "integrations:webhook_deliveries": ("api:get_webhook", "api:list_webhook_deliveries"),
    "integrations:webhook_edit": ("api:get_webhook", "api:update_webhook"),
    "integrations:webhook_delete": ("api:delete_webhook",),
    "integrations:webhook_secret": ("api:regenerate_webhook_secret",),
    "integrations:webhook_test": ("api:ping_webhook",),
    "integrations:webhook_redeliver": ("api:redeliver_webhook_delivery",),
    "integrations:redmine_import": ("api:list_redmine_imports", "api:start_redmine_import"),
    "integrations:redmine_import_run": ("api:get_redmine_import",),
    # --- Gray zones and anticipated questions (issue 11) -----------------------------------------------
    # Ages and the board's summary derive from the items' created_at, owned_at and state.
    "grayzone:portfolio": ("api:list_portfolio_grayzone_items",),
    "grayzone:board": ("api:list_grayzone_items",),
    "grayzone:new": ("api:create_grayzone_item",),
    "grayzone:detail": ("api:get_grayzone_item", "api:list_grayzone_comments"),
    "grayzone:edit": ("api:get_grayzone_item", "api:update_grayzone_item"),
    "grayzone:share": ("api:share_grayzone_item",),
    "grayzone:offer": ("api:offer_grayzone_item",),
    "grayzone:accept": ("api:accept_grayzone_item",),
    "grayzone:decline": ("api:decline_grayzone_item",),
    "grayzone:escalate": ("api:escalate_grayzone_item",),
    "grayzone:comment": ("api:create_grayzone_comment",),
    "grayzone:portal_list": ("api:list_grayzone_items",),
    "grayzone:portal_detail": ("api:get_grayzone_item", "api:list_grayzone_comments"),
    "grayzone:portal_decide": ("api:decide_grayzone_item",),
    "positions:list": ("api:list_positions",),
    "positions:new": ("api:create_position",),
    "positions:detail": ("api:get_position", "api:list_position_versions"),
    "positions:edit": ("api:get_position", "api:update_position"),
    "positions:share": ("api:share_position",),
    "positions:version": ("api:get_position_version",),
    "positions:portal_list": ("api:list_positions",),
    "positions:portal_detail": ("api:get_position", "api:list_position_versions"),
    "positions:portal_version": ("api:get_position_version",),
    # --- Partnership check (issue 11, vendor-internal) --------------------------------------------------
    "partnership:check": (
        "api:get_partnership",
        "api:get_partnership_trend",
        "api:get_partnership_facts",
        "api:list_partnership_assessments",
    ),
    "partnership:new": ("api:create_partnership_assessment",),
    "partnership:edit": ("api:get_partnership_assessment", "api:update_partnership_assessment"),
}

# Every "gap:" entry, acknowledged here: a new gap or a closed one must change this set.
KNOWN_GAPS: set[str] = set()

REASON_PREFIXES = ("not API:", "file:", "by design:", "gap:")
API_NAME_IN_TEXT = re.compile(rf"\b{API_NAMESPACE}:([A-Za-z0-9_-]+)")


def iter_routes(patterns=None, namespace: str | None = None) -> Iterator[str]:
    """Every URL pattern's name with its namespace, as reverse() wants it (like the access matrix's)."""
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
            yield f"{namespace}:{name}" if namespace else name


def _all_routes() -> set[str]:
    return set(iter_routes())


def _ui_routes() -> set[str]:
    return {
        name for name in _all_routes() if not name.startswith((f"{ADMIN_NAMESPACE}:", f"{API_NAMESPACE}:"))
    }


def _api_names(entry: tuple[str, ...] | str) -> list[str]:
    if isinstance(entry, tuple):
        return list(entry)
    return [f"{API_NAMESPACE}:{name}" for name in API_NAME_IN_TEXT.findall(entry)]


def test_every_ui_route_has_an_entry():
    missing = sorted(_ui_routes() - set(UI_TO_API))
    assert missing == [], f"UI routes without an API coverage entry: {missing}"


def test_no_entry_is_stale():
    assert sorted(set(UI_TO_API) - _ui_routes()) == []


def test_entries_are_well_formed():
    bad = []
    for name, entry in UI_TO_API.items():
        if isinstance(entry, tuple):
            if not entry or not all(api.startswith(f"{API_NAMESPACE}:") for api in entry):
                bad.append(name)
        elif not entry.startswith(REASON_PREFIXES):
            bad.append(name)
    assert bad == [], f"Entries neither a tuple of api:… names nor a reason with a known prefix: {bad}"


def test_every_named_api_route_exists():
    routes = _all_routes()
    unknown = sorted(
        {(name, api) for name, entry in UI_TO_API.items() for api in _api_names(entry) if api not in routes}
    )
    assert unknown == [], f"Entries naming API routes that do not exist: {unknown}"


def test_file_entries_name_their_api_routes():
    # A download is covered only when the string says which routes give its data.
    bare = sorted(
        name
        for name, entry in UI_TO_API.items()
        if isinstance(entry, str) and entry.startswith("file:") and not _api_names(entry)
    )
    assert bare == []


def test_gaps_are_the_known_gaps():
    gaps = {name for name, entry in UI_TO_API.items() if isinstance(entry, str) and entry.startswith("gap:")}
    assert sorted(gaps - KNOWN_GAPS) == [], "New gaps: acknowledge them in KNOWN_GAPS (or close them)"
    assert sorted(KNOWN_GAPS - gaps) == [], "Closed gaps: remove them from KNOWN_GAPS"
