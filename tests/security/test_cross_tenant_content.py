"""Threat: another tenant's data (or a vendor-only item) shown through a side door — a list, an export, a PDF,
the calendar feed, a search, the notification list, a history/activity view, a count or a page total.

ASVS 5.0 V8.2.1/V8.2.2 (function- and data-level access on every channel), V8.4.1 (multi-tenant isolation),
V14.2.6 (only the data needed is returned), V8.2.3 (field-level: internal items).

Canary texts are planted in objects of every kind the product has — in the other customer's project, in the
other vendor's project, as vendor-only items of the own project, as customer-only items (hidden from partner
vendors), as someone else's notification and as another vendor's glossary term — through the services, so
that the audit history carries them too. Then, for each role, every GET route of the access matrix that the
role may use (pages, API, xlsx/csv/PDF exports, the calendar feed, attachments, history) is fetched and every
answer, unpacked (xlsx parts, PDF text, folded iCalendar lines), must not contain a canary hidden from that
role. Searches are asked for the canaries by name. JSON lists must count only what they list.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shinrai.core.models import Project

from .matrix_flows import TINY_BPMN
from .test_access_matrix import EXPECTATIONS

# A canary per kind of hiding; each object adds its kind, e.g. "QXOTHERQX trouble".
HIDDEN_FROM = {
    # the other customer's project (V × C2): only V's manager and C2's sponsor may see it
    "QXOTHERQX": {"vendor_manager", "outsider_customer"},
    # the other vendor's project (V2 × C1): only V2's manager
    "QXFOREIGNQX": {"other_vendor_manager"},
    # vendor-only items of the own project
    "QXINTERNALQX": {"vendor_manager", "vendor_pm", "vendor_member"},
    # own project, shared with the customer but not with partner vendors
    "QXSHAREDQX": {"vendor_manager", "vendor_pm", "vendor_member", "customer_sponsor", "customer_member"},
    # the vendor manager's own notification
    "QXNOTEQX": {"vendor_manager"},
    # V2's glossary term
    "QXTERMQX": {"other_vendor_manager"},
    # V's account plan for customer C2 (vendor-internal)
    "QXACCOUNTQX": {"vendor_manager"},
}
SWEPT_ROLES = [
    "customer_sponsor",
    "customer_member",
    "partner_viewer",
    "vendor_pm",
    "vendor_member",
    "outsider_customer",
    "outsider_partner",
    "other_vendor_manager",
]
_AUTHOR = {"own": "vendor_pm", "other": "vendor_manager", "foreign": "other_vendor_manager"}


def _plant_project_items(cast, project_name: str, canary: str, visibility: str) -> None:
    """One object of every project item kind, its text carrying the canary, made through the services."""
    from shinrai.flows import services as flow_services
    from shinrai.ledger import services as ledger_services
    from shinrai.progress import report_services
    from shinrai.progress import services as progress_services
    from shinrai.requirements import services as requirement_services
    from shinrai.troubles import services as trouble_services

    project = getattr(cast, project_name)
    author = cast.users[_AUTHOR[project_name]]
    shared = visibility != "internal"
    trouble = trouble_services.trouble_create(
        by=author,
        project=project,
        kind="incident",
        title=f"{canary} trouble",
        facts=f"{canary} facts",
        detected_at=timezone.now() - timedelta(hours=3),
        severity="high",
    )
    trouble_services.note_add(by=author, trouble=trouble, body=f"{canary} note")
    if shared:
        trouble_services.trouble_disclose(
            by=author, trouble=trouble, version=trouble.version, visibility=visibility
        )
    progress_services.milestone_save(
        by=author, project=project, name=f"{canary} milestone", visibility=visibility,
        baseline_date=date(2026, 12, 1),
    )  # fmt: skip
    progress_services.task_save(by=author, project=project, name=f"{canary} task", visibility=visibility)
    requirement_services.requirement_create(
        by=author, project=project, text=f"{canary} requirement", visibility=visibility, criteria=[]
    )
    flow_services.flow_create(
        by=author,
        project=project,
        title=f"{canary} flow",
        data=TINY_BPMN.replace(b'id="T" name="', f'id="T" name="{canary} step '.encode()),
        filename=f"{canary}.bpmn",
        visibility=visibility,
    )
    if not shared:
        return
    requirement_services.stakeholder_save(
        by=author, project=project, name=f"{canary} stakeholder", category="field_staff"
    )
    requirement_services.goal_save(
        by=author, project=project, title=f"{canary} goal", success_definition=f"{canary} success"
    )
    report = report_services.report_create_draft(by=author, project=project, week_start=date(2024, 12, 2))
    report_services.report_update(
        by=author, report=report, done=f"{canary} done", problem=f"{canary} problem"
    )
    report_services.report_publish(by=author, report=report)
    ledger_services.record_entry(by=author, project=project, kind="agreement", subject=f"{canary} agreement")
    change = ledger_services.change_create(
        by=author, project=project, title=f"{canary} change", description=f"{canary} description",
        reason="顧客要望", cost_impact=100_000, schedule_impact_days=2,
    )  # fmt: skip
    ledger_services.change_propose(by=author, change=change)


def _plant_customer_request(cast, project_name: str, canary: str) -> None:
    from shinrai.ledger import services as ledger_services

    asker = {"other": "outsider_customer", "foreign": "other_vendor_manager"}[project_name]
    ledger_services.request_create(
        by=cast.users[asker],
        project=getattr(cast, project_name),
        title=f"{canary} request",
        body=f"{canary} request body",
        due_at=timezone.now() + timedelta(days=3),
    )


@pytest.fixture
def canaries(cast):
    """Plant every canary; returns nothing (the texts are in HIDDEN_FROM)."""
    from shinrai.accounts import services as account_services
    from shinrai.integrations.models import Event, Notification
    from shinrai.progress.models import PlainLanguageTerm

    for name, canary in (("other", "QXOTHERQX"), ("foreign", "QXFOREIGNQX")):
        Project.objects.filter(pk=getattr(cast, name).pk).update(
            name=f"{canary} project", internal_note=f"{canary} internal note"
        )
        setattr(cast, name, Project.objects.get(pk=getattr(cast, name).pk))
        _plant_project_items(cast, name, canary, "customer")
        _plant_customer_request(cast, name, canary)
    Project.objects.filter(pk=cast.own.pk).update(internal_note="QXINTERNALQX internal note")
    cast.own.refresh_from_db()
    _plant_project_items(cast, "own", "QXINTERNALQX", "internal")
    _plant_project_items(cast, "own", "QXSHAREDQX", "customer")
    Notification.objects.create(
        user=cast.users["vendor_manager"], event=Event.REQUEST_DUE, title="QXNOTEQX notification", url="/"
    )
    PlainLanguageTerm.objects.create(vendor_org=cast.other_vendor, term="QXTERMQX", plain_ja="QXTERMQX 説明")
    account_services.roadmap_step_create(
        by=cast.users["vendor_manager"],
        customer=cast.other_customer,
        fiscal_year=2027,
        title="QXACCOUNTQX step",
    )
    account_services.key_person_create(
        by=cast.users["vendor_manager"],
        customer=cast.other_customer,
        name="QXACCOUNTQX person",
        meet_every_days=30,
    )


def _text(response) -> str:
    """Everything a person could read in an answer: xlsx parts, PDF text, iCalendar unfolded, or the body."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        return "\n".join(page.extract_text() or "" for page in reader.pages) + body.decode("latin-1")
    text = body.decode("utf-8", "replace")
    if "text/calendar" in content_type:
        text = text.replace("\r\n ", "").replace("\r\n\t", "")
    if "json" in content_type:
        text += json.dumps(json.loads(body or b"null"), ensure_ascii=False)
    return text


# The API's own description (no data), and the survey answer link, whose credential is the token in its URL
# (sent to one person of that project, who sees that project's name by design), not the signed-in user.
NOT_SWEPT = {"api:openapi-json", "api:openapi-view", "surveys:answer", "api:get_survey_answer"}


def _hidden_from(role: str) -> list[str]:
    return [canary for canary, allowed in HIDDEN_FROM.items() if role not in allowed]


def _gets_for(role: str):
    """(route, target) for every GET of the matrix that answers 200 to the role."""
    for name, expect in EXPECTATIONS.items():
        if expect.method != "get" or name in NOT_SWEPT:
            continue
        for target in expect.targets:
            if expect.status(role, target) == 200:
                yield name, target


def _count_problems(where: str, response) -> list[str]:
    """A JSON list must count only what it lists (a count that includes hidden rows is a side channel)."""
    if "json" not in response.get("Content-Type", ""):
        return []
    data = response.json()
    if not (isinstance(data, dict) and isinstance(data.get("items"), list) and "count" in data):
        return []
    if data["count"] <= 100 and data["count"] != len(data["items"]):
        return [f"{where}: count {data['count']} but {len(data['items'])} items"]
    return []


@pytest.mark.parametrize("role", SWEPT_ROLES)
def test_no_hidden_canary_reaches_the_role_through_any_get_route(cast, canaries, role):
    user = cast.users[role]
    hidden = _hidden_from(role)
    browser = Client()
    browser.force_login(user)
    failures, fetched = [], 0
    for name, target in _gets_for(role):
        expect = EXPECTATIONS[name]
        sid = transaction.savepoint()
        try:
            kwargs = expect.kwargs(cast, target, user) if expect.kwargs else {}
            response = browser.get(reverse(name, kwargs=kwargs))
            where = f"{name} on {target}"
            if response.status_code != 200:
                failures.append(f"{where}: {response.status_code}, the matrix expects 200")
                continue
            fetched += 1
            text = _text(response)
            failures += [f"{where}: {canary}" for canary in hidden if canary in text]
            failures += _count_problems(where, response)
        finally:
            transaction.savepoint_rollback(sid)
    assert fetched > 10, fetched
    assert not failures, "\n".join(failures)


def test_planted_canaries_are_seen_by_those_allowed(cast, canaries):
    """The control: the same sweep finds each canary for someone allowed, so a miss is not a broken plant."""
    seen = {
        "QXOTHERQX": ("vendor_manager", f"/api/v1/projects/{cast.other.pk}/troubles"),
        "QXFOREIGNQX": ("other_vendor_manager", reverse("troubles:register", args=[cast.foreign.pk])),
        "QXINTERNALQX": ("vendor_pm", reverse("troubles:register", args=[cast.own.pk])),
        "QXSHAREDQX": ("customer_sponsor", reverse("troubles:portal_list", args=[cast.own.pk])),
        "QXNOTEQX": ("vendor_manager", reverse("integrations:notifications")),
        "QXTERMQX": ("other_vendor_manager", reverse("reports:glossary")),
        "QXACCOUNTQX": ("vendor_manager", reverse("accounts:detail", args=[cast.other_customer.pk])),
    }
    for canary, (role, url) in seen.items():
        browser = Client()
        browser.force_login(cast.users[role])
        assert canary in _text(browser.get(url)), (canary, role, url)
    vendor = Client()
    vendor.force_login(cast.users["vendor_pm"])
    export = vendor.get(reverse("troubles:export_xlsx", args=[cast.own.pk]))
    assert "QXINTERNALQX trouble" in _text(export)
    pdf = vendor.get(reverse("ledger:export_pdf", args=[cast.own.pk]))
    assert "QXSHAREDQX" in _text(pdf)


SEARCHES = ["reports:glossary", "api:list_glossary_terms"]


@pytest.mark.parametrize("role", ["vendor_pm", "vendor_manager", "vendor_member"])
@pytest.mark.parametrize("name", SEARCHES)
def test_search_for_another_vendors_term_finds_nothing(cast, canaries, role, name):
    from shinrai.progress.models import PlainLanguageTerm

    PlainLanguageTerm.objects.create(vendor_org=cast.vendor, term="QXOURSQX", plain_ja="自社の用語")
    browser = Client()
    browser.force_login(cast.users[role])

    def found(query):
        response = browser.get(reverse(name), {"q": query})
        assert response.status_code == 200
        # The page repeats the query in its search box and links: read the results, not the page.
        return list(response.context["terms"] if response.context else response.json()["items"])

    assert found("QXTERMQX") == []
    assert len(found("QXOURSQX")) == 1  # the control: the search does search


def test_similar_past_troubles_never_come_from_projects_the_vendor_user_may_not_open(cast, canaries):
    """The trouble page suggests closed troubles with similar words: only from projects the user may open."""
    from shinrai.troubles import services as trouble_services
    from shinrai.troubles.models import Trouble

    closed = []
    for project_name in ("other", "foreign"):
        trouble = Trouble.objects.filter(
            project=getattr(cast, project_name), title__endswith=" trouble"
        ).first()
        trouble_services.trouble_close_imported(
            by=cast.users[_AUTHOR[project_name]], trouble=trouble, closed_at=timezone.now(), source="test"
        )
        closed.append(trouble)
    mine = trouble_services.trouble_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        kind="incident",
        title="QXOTHERQX QXFOREIGNQX QXINTERNALQX trouble",  # the same words as every closed one
        facts="QXOTHERQX QXFOREIGNQX QXINTERNALQX facts",
        detected_at=timezone.now() - timedelta(hours=1),
        severity="high",
    )
    url = reverse("troubles:detail", args=[cast.own.pk, mine.pk])
    suggested = {}
    for role in ("vendor_pm", "vendor_manager"):
        browser = Client()
        browser.force_login(cast.users[role])
        suggested[role] = [past.pk for _score, past in browser.get(url).context["similar"]]
    assert suggested["vendor_pm"] == []  # the other customer's project is not theirs
    assert suggested["vendor_manager"] == [closed[0].pk]  # the control; never the other vendor's


def test_unread_badge_and_portfolio_total_count_only_ones_own(cast, canaries):
    from shinrai.integrations.models import Notification

    for role in SWEPT_ROLES:
        browser = Client()
        browser.force_login(cast.users[role])
        unread = browser.get("/api/v1/notifications/unread-count").json()["unread"]
        assert unread == Notification.objects.filter(user=cast.users[role], read_at=None).count(), role
    pm = Client()
    pm.force_login(cast.users["vendor_pm"])
    portfolio = pm.get(reverse("core:portfolio"))
    assert portfolio.context["total"] == 1  # own only, though V has two projects
    projects = pm.get("/api/v1/projects/").json()
    assert projects["count"] == len(projects["items"]) == 1
