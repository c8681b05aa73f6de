"""The editable objects of Shinrai, one case per edit path, for test_stale_edits.py.

Each page case names the route, makes the object through its service (so that the audit log says who
wrote it), says which field two editors change and how to read the stored value back. Each API case names
the PATCH/PUT operation, how to make and read the object, and the two bodies. ``forms_in`` reads the forms
of a page as a browser would post them (hidden fields, checked boxes, selected options, textareas).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from shinrai.accounts import services as accounts
from shinrai.accounts.models import AccountPlan, KeyPerson, RoadmapStep
from shinrai.flows import services as flows
from shinrai.flows.models import BusinessFlow
from shinrai.grayzone import services as grayzone
from shinrai.grayzone.models import GrayZoneItem, Position
from shinrai.integrations import notifications
from shinrai.integrations import webhook_services as webhooks
from shinrai.integrations.models import Webhook
from shinrai.progress import glossary
from shinrai.progress import report_services as reports
from shinrai.progress import services as progress
from shinrai.progress.models import Milestone, PlainLanguageTerm, Task, WeeklyReport
from shinrai.requirements import services as requirements
from shinrai.requirements.models import Goal, Requirement, Stakeholder
from shinrai.surveys import services as surveys
from shinrai.surveys.defaults import PULSE_LINEAGE
from shinrai.surveys.models import SurveyTemplate
from shinrai.troubles import services as troubles
from shinrai.troubles.models import Trouble

from .matrix_flows_api import MINI_BPMN

# --- Reading a page's forms ------------------------------------------------------------------------------


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def data(self) -> dict[str, list[str]]:
        """As the test client posts it: name → values (several for multiple selects and checkboxes)."""
        posted: dict[str, list[str]] = {}
        for name, value in self.fields:
            posted.setdefault(name, []).append(value)
        return posted

    def value(self, name: str) -> str | None:
        values = self.data().get(name)
        return values[0] if values else None


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = HtmlForm(attrs.get("action") or "", (attrs.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form.fields.append((name, attrs.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._form.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = {"name": name, "multiple": "multiple" in attrs, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": []}
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea = (name, [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"]
            if value is None:
                value = "".join(self._option["text"]).strip()
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            self._form.fields.extend((self._select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._textarea[1])
            # A browser drops the one newline right after <textarea>.
            self._form.fields.append((self._textarea[0], text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_in(html: str) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def post_form(html: str, *, page_path: str, action: str | None = None) -> HtmlForm:
    """The POST form of a page that posts to ``action`` (default: the page itself)."""
    wanted = action or page_path
    for form in forms_in(html):
        if form.method != "post":
            continue
        target = form.action.split("#")[0] or page_path
        if target == wanted:
            return form
    raise AssertionError(f"no form posting to {wanted} on {page_path}")


# --- Proving that nothing was written --------------------------------------------------------------------

# Tables and columns that change without any edit: sessions, log-in throttling, queued tasks, cached
# indicators, and when someone last logged in.
_VOLATILE_MODELS = {
    "sessions.Session",
    "axes.AccessFailureLog",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessLog",
    "django_tasks_database.DBTaskResult",
    "accounts.ProjectIndicators",
}
_VOLATILE_FIELDS = {"last_login", "last_used_at"}


def database_digest() -> str:
    """A digest of every row of every application table (audit log included)."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.label in _VOLATILE_MODELS:
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in _VOLATILE_FIELDS]
        digest.update(model._meta.label.encode())
        for row in model._base_manager.order_by("pk").values_list(*names):
            digest.update(repr(row).encode())
    return digest.hexdigest()


# --- The objects -----------------------------------------------------------------------------------------


def _pm(cast):
    return cast.users["vendor_pm"]


def make_stakeholder(cast) -> Stakeholder:
    return requirements.stakeholder_save(
        by=_pm(cast), project=cast.own, name="山田部長", category=Stakeholder.Category.EXECUTIVE
    )


def make_goal(cast) -> Goal:
    return requirements.goal_save(
        by=_pm(cast),
        project=cast.own,
        title="在庫を減らす",
        success_definition="欠品なしで在庫日数を2割減らす",
        measures=[{"metric": "在庫日数", "target": "24日"}],
    )


def make_requirement(cast) -> Requirement:
    return requirements.requirement_create(
        by=_pm(cast), project=cast.own, text="在庫一覧を2秒以内に表示すること"
    )


def make_milestone(cast) -> Milestone:
    return progress.milestone_save(
        by=_pm(cast), project=cast.own, name="要件定義完了", baseline_date=date.today() + timedelta(days=30)
    )


def make_task(cast) -> Task:
    return progress.task_save(by=_pm(cast), project=cast.own, name="画面設計", estimate_hours=16)


def make_report(cast) -> WeeklyReport:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return reports.report_create_draft(by=_pm(cast), project=cast.own, week_start=monday)


def make_term(cast) -> PlainLanguageTerm:
    return glossary.term_save(by=_pm(cast), term="PoCX", plain_ja="試作による検証", plain_en="")


def make_template(cast) -> SurveyTemplate:
    shipped = SurveyTemplate.objects.get(lineage=PULSE_LINEAGE, is_current=True)
    return surveys.template_copy(by=_pm(cast), template=shipped, name="当社版")


def make_plan(cast) -> AccountPlan:
    return accounts.plan_save(by=_pm(cast), customer=cast.customer, version=0, business="製造業")


def make_step(cast) -> RoadmapStep:
    return accounts.roadmap_step_create(
        by=_pm(cast), customer=cast.customer, fiscal_year=2026, title="基幹刷新"
    )


def make_person(cast) -> KeyPerson:
    return accounts.key_person_create(by=_pm(cast), customer=cast.customer, name="佐藤部長")


def make_trouble(cast) -> Trouble:
    return troubles.trouble_create(
        by=_pm(cast),
        project=cast.own,
        kind=Trouble.Kind.ISSUE,
        title="帳票の文字化け",
        facts="PDFで外字が表示されない",
        detected_at=timezone.now() - timedelta(hours=2),
    )


def make_flow(cast) -> BusinessFlow:
    return flows.flow_create(
        by=_pm(cast),
        project=cast.own,
        title="受注フロー",
        description="",
        data=MINI_BPMN,
        filename="order.bpmn",
        visibility="customer",
    )


def make_webhook(cast) -> Webhook:
    return webhooks.webhook_create(
        by=_pm(cast),
        project=cast.own,
        name="Slack",
        kind=Webhook.Kind.SLACK,
        url="https://hooks.example.com/services/T1",
        events=["report_published"],
    )


def make_grayzone_item(cast) -> GrayZoneItem:
    return grayzone.item_create(by=_pm(cast), project=cast.own, title="夜間監視の担当", reason="no_owner")


def make_position(cast) -> Position:
    position = grayzone.position_create(
        by=_pm(cast),
        project=cast.own,
        question="遅れますか？",
        facts="決済APIが遅い",
        recommendation="予定どおり",
    )
    return grayzone.position_share(by=_pm(cast), position=position, visibility="customer")


def make_partnership_check(cast):
    from shinrai.partnership import services as partnership

    return partnership.assessment_create(
        by=cast.users["vendor_manager"],
        customer=cast.customer,
        fiscal_year=2026,
        quarter=1,
        own_part=4,
        decisions=3,
        equal_partner=4,
        learns=3,
        scope=5,
    )


def make_own_user(cast):
    return _pm(cast)


def _fresh(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def stored(name: str) -> Callable[[Any], Any]:
    """The stored value of one field, read again from the database."""
    return lambda obj: _text(getattr(_fresh(obj), name))


def _text(value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def email_of(event: str) -> Callable[[Any], Any]:
    def read(user):
        row = next(r for r in notifications.preferences_of(user) if r["event"] == event)
        return f"email={row['email']} in_app={row['in_app']}"

    return read


# --- Page cases ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageCase:
    route: str  # the URL name: the inventory key
    make: Callable
    url: Callable  # (cast, obj) -> the page both editors open
    a: dict[str, str | None]  # what editor A changes (None: unchecks a box)
    b: dict[str, str | None]  # what editor B changes, from the copy they loaded before A saved
    read: Callable  # obj -> the stored state that A's save changed
    a_state: str
    action: Callable | None = None  # (cast, obj) -> where the form posts, when not to the page itself
    editors: tuple[str, str] = ("vendor_manager", "vendor_pm")
    token_field: str = "lock"
    shown: str | None = None  # what B sees of their input on the conflict page (default: b's first value)


def _project_url(name):
    return lambda cast, obj: reverse(name, args=[cast.own.pk, obj.pk])


def _customer_url(name):
    return lambda cast, obj: reverse(name, args=[cast.customer.pk, obj.pk])


_DAY_A = (date.today() - timedelta(days=3)).isoformat()
_DAY_B = (date.today() - timedelta(days=1)).isoformat()

PAGE_CASES = [
    PageCase(
        "requirements:stakeholder_edit",
        make_stakeholder,
        _project_url("requirements:stakeholder_edit"),
        {"name": "山田本部長"},
        {"name": "山田常務"},
        stored("name"),
        "山田本部長",
    ),
    PageCase(
        "requirements:goal_edit",
        make_goal,
        _project_url("requirements:goal_edit"),
        {"title": "在庫を3割減らす"},
        {"title": "欠品をなくす"},
        stored("title"),
        "在庫を3割減らす",
    ),
    PageCase(
        "requirements:requirement_edit",
        make_requirement,
        _project_url("requirements:requirement_edit"),
        {"text": "在庫一覧を1秒以内に表示すること"},
        {"text": "在庫一覧を3秒以内に表示すること"},
        stored("text"),
        "在庫一覧を1秒以内に表示すること",
    ),
    PageCase(
        "progress:milestone_edit",
        make_milestone,
        _project_url("progress:milestone_edit"),
        {"name": "要件定義の合意"},
        {"name": "要件定義書の承認"},
        stored("name"),
        "要件定義の合意",
    ),
    PageCase(
        "progress:milestone_actual",
        make_milestone,
        lambda cast, obj: reverse("progress:roadmap", args=[cast.own.pk]),
        {"actual_date": _DAY_A},
        {"actual_date": _DAY_B},
        stored("actual_date"),
        _DAY_A,
        action=_project_url("progress:milestone_actual"),
    ),
    PageCase(
        "progress:task_edit",
        make_task,
        _project_url("progress:task_edit"),
        {"name": "画面設計(一覧)"},
        {"name": "画面設計(詳細)"},
        stored("name"),
        "画面設計(一覧)",
    ),
    PageCase(
        "progress:task_progress",
        make_task,
        lambda cast, obj: reverse("progress:wbs", args=[cast.own.pk]),
        {"progress": "40"},
        {"progress": "70", "status": "in_progress"},
        stored("progress"),
        "40",
        action=_project_url("progress:task_progress"),
    ),
    PageCase(
        "reports:edit",
        make_report,
        _project_url("reports:edit"),
        {"done": "画面設計を終えました"},
        {"done": "画面設計の半分を終えました"},
        stored("done"),
        "画面設計を終えました",
    ),
    PageCase(
        "reports:glossary_edit",
        make_term,
        lambda cast, obj: reverse("reports:glossary_edit", args=[obj.pk]),
        {"plain_ja": "試作して確かめること"},
        {"plain_ja": "小さく作って試すこと"},
        stored("plain_ja"),
        "試作して確かめること",
    ),
    PageCase(
        "surveys:template_edit",
        make_template,
        lambda cast, obj: reverse("surveys:template_edit", args=[obj.pk]),
        {"name": "当社版(短縮)"},
        {"name": "当社版(四半期)"},
        stored("name"),
        "当社版(短縮)",
    ),
    PageCase(
        "accounts:plan_edit",
        make_plan,
        lambda cast, obj: reverse("accounts:plan_edit", args=[cast.customer.pk]),
        {"business": "精密部品の製造"},
        {"business": "医療機器の製造"},
        stored("business"),
        "精密部品の製造",
        token_field="version",
    ),
    PageCase(
        "accounts:step_edit",
        make_step,
        _customer_url("accounts:step_edit"),
        {"title": "基幹システム刷新"},
        {"title": "販売管理の刷新"},
        stored("title"),
        "基幹システム刷新",
    ),
    PageCase(
        "accounts:person_edit",
        make_person,
        _customer_url("accounts:person_edit"),
        {"name": "佐藤本部長"},
        {"name": "佐藤常務"},
        stored("name"),
        "佐藤本部長",
    ),
    PageCase(
        "troubles:edit",
        make_trouble,
        _project_url("troubles:edit"),
        {"title": "帳票PDFの文字化け"},
        {"title": "外字の文字化け"},
        stored("title"),
        "帳票PDFの文字化け",
        token_field="version",
    ),
    PageCase(
        "flows:edit",
        make_flow,
        _project_url("flows:edit"),
        {"title": "受注から出荷まで"},
        {"title": "受注と請求"},
        stored("title"),
        "受注から出荷まで",
    ),
    PageCase(
        "integrations:webhook_edit",
        make_webhook,
        _project_url("integrations:webhook_edit"),
        {"name": "Slack #pm"},
        {"name": "Slack #dev"},
        stored("name"),
        "Slack #pm",
    ),
    PageCase(
        "integrations:notification_preferences",
        make_own_user,
        lambda cast, obj: reverse("integrations:notification_preferences"),
        {"report_published__email": None},
        {"decision_needed__in_app": None},
        email_of("report_published"),
        "email=False in_app=True",
        editors=("vendor_pm", "vendor_pm"),  # the same person in two windows
        shown="E-mail: Yes, in Shinrai: No",
    ),
    PageCase(
        "grayzone:edit",
        make_grayzone_item,
        _project_url("grayzone:edit"),
        {"title": "夜間バッチ監視の担当"},
        {"title": "在庫連携監視の担当"},
        stored("title"),
        "夜間バッチ監視の担当",
    ),
    PageCase(
        "positions:edit",
        make_position,
        _project_url("positions:edit"),
        {"recommendation": "1日遅れます"},
        {"recommendation": "予定どおりです"},
        stored("recommendation"),
        "1日遅れます",
    ),
    PageCase(
        "partnership:edit",
        make_partnership_check,
        _customer_url("partnership:edit"),
        {"notes": "判断が早くなった"},
        {"notes": "判断待ちが続く"},
        stored("notes"),
        "判断が早くなった",
    ),
]


# --- API cases -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiCase:
    method: str
    path: str  # as in the OpenAPI document: the inventory key
    make: Callable
    url: Callable  # (cast, obj) -> the path
    a: dict
    b: dict
    read: Callable
    a_state: str
    get: Callable | None = None  # (cast, obj) -> where a GET gives the ETag (default: url)
    no_get: bool = False  # no GET of its own: the ETag comes from a first write's answer
    versioned: bool = False  # the body carries "version" too (409 when stale)
    editors: tuple[str, str] = ("vendor_manager", "vendor_pm")


def _at(template: str):
    return lambda cast, obj: template.format(obj=obj, cast=cast)


_QUESTIONS = [
    {"code": "A1", "kind": "likert", "category": "A", "facet": "logical", "text_ja": "成果物の品質"},
    {"code": "NPS", "kind": "nps", "text_ja": "推奨度", "text_en": "Recommend us?"},
]

API_CASES = [
    ApiCase(
        "patch",
        "/api/v1/me",
        make_own_user,
        _at("/api/v1/me"),
        {"language": "ja"},
        {"language": "en"},
        stored("language"),
        "ja",
        editors=("vendor_pm", "vendor_pm"),
    ),
    ApiCase(
        "patch",
        "/api/v1/requirements/{requirement_id}",
        make_requirement,
        _at("/api/v1/requirements/{obj.pk}"),
        {"priority": "should"},
        {"priority": "could"},
        stored("priority"),
        "should",
    ),
    ApiCase(
        "patch",
        "/api/v1/stakeholders/{stakeholder_id}",
        make_stakeholder,
        _at("/api/v1/stakeholders/{obj.pk}"),
        {"name": "山田本部長"},
        {"name": "山田常務"},
        stored("name"),
        "山田本部長",
    ),
    ApiCase(
        "patch",
        "/api/v1/goals/{goal_id}",
        make_goal,
        _at("/api/v1/goals/{obj.pk}"),
        {"title": "在庫を3割減らす"},
        {"title": "欠品をなくす"},
        stored("title"),
        "在庫を3割減らす",
    ),
    ApiCase(
        "patch",
        "/api/v1/milestones/{milestone_id}",
        make_milestone,
        _at("/api/v1/milestones/{obj.pk}"),
        {"name": "要件定義の合意"},
        {"name": "要件定義書の承認"},
        stored("name"),
        "要件定義の合意",
    ),
    ApiCase(
        "patch",
        "/api/v1/tasks/{task_id}",
        make_task,
        _at("/api/v1/tasks/{obj.pk}"),
        {"progress": 40},
        {"progress": 70},
        stored("progress"),
        "40",
    ),
    ApiCase(
        "put",
        "/api/v1/tasks/{task_id}",
        make_task,
        _at("/api/v1/tasks/{obj.pk}"),
        {"name": "画面設計(一覧)", "estimate_hours": "16"},
        {"name": "画面設計(詳細)", "estimate_hours": "16"},
        stored("name"),
        "画面設計(一覧)",
    ),
    ApiCase(
        "patch",
        "/api/v1/reports/{report_id}",
        make_report,
        _at("/api/v1/reports/{obj.pk}"),
        {"done": "画面設計を終えました"},
        {"done": "画面設計の半分を終えました"},
        stored("done"),
        "画面設計を終えました",
    ),
    ApiCase(
        "patch",
        "/api/v1/glossary/{term_id}",
        make_term,
        _at("/api/v1/glossary/{obj.pk}"),
        {"plain_ja": "試作して確かめること"},
        {"plain_ja": "小さく作って試すこと"},
        stored("plain_ja"),
        "試作して確かめること",
    ),
    ApiCase(
        "patch",
        "/api/v1/troubles/{trouble_id}",
        make_trouble,
        _at("/api/v1/troubles/{obj.pk}"),
        {"title": "帳票PDFの文字化け"},
        {"title": "外字の文字化け"},
        stored("title"),
        "帳票PDFの文字化け",
        versioned=True,
    ),
    ApiCase(
        "put",
        "/api/v1/survey-templates/{template_id}",
        make_template,
        _at("/api/v1/survey-templates/{obj.pk}"),
        {"name": "当社版(短縮)", "description": "", "questions": _QUESTIONS},
        {"name": "当社版(四半期)", "description": "", "questions": _QUESTIONS},
        stored("name"),
        "当社版(短縮)",
        versioned=True,
    ),
    ApiCase(
        "put",
        "/api/v1/accounts/{customer_id}/plan",
        make_plan,
        _at("/api/v1/accounts/{cast.customer.pk}/plan"),
        {"business": "精密部品の製造"},
        {"business": "医療機器の製造"},
        stored("business"),
        "精密部品の製造",
        versioned=True,
    ),
    ApiCase(
        "patch",
        "/api/v1/accounts/{customer_id}/roadmap/{step_id}",
        make_step,
        _at("/api/v1/accounts/{cast.customer.pk}/roadmap/{obj.pk}"),
        {"title": "基幹システム刷新"},
        {"title": "販売管理の刷新"},
        stored("title"),
        "基幹システム刷新",
        no_get=True,
    ),
    ApiCase(
        "patch",
        "/api/v1/accounts/{customer_id}/key-people/{person_id}",
        make_person,
        _at("/api/v1/accounts/{cast.customer.pk}/key-people/{obj.pk}"),
        {"name": "佐藤本部長"},
        {"name": "佐藤常務"},
        stored("name"),
        "佐藤本部長",
        no_get=True,
    ),
    ApiCase(
        "patch",
        "/api/v1/flows/{flow_id}",
        make_flow,
        _at("/api/v1/flows/{obj.pk}"),
        {"title": "受注から出荷まで"},
        {"title": "受注と請求"},
        stored("title"),
        "受注から出荷まで",
    ),
    ApiCase(
        "put",
        "/api/v1/me/notification-preferences",
        make_own_user,
        _at("/api/v1/me/notification-preferences"),
        {"preferences": [{"event": "report_published", "email": False, "in_app": True}]},
        {"preferences": [{"event": "report_published", "email": True, "in_app": False}]},
        email_of("report_published"),
        "email=False in_app=True",
        editors=("vendor_pm", "vendor_pm"),
    ),
    ApiCase(
        "patch",
        "/api/v1/projects/{project_id}/webhooks/{webhook_id}",
        make_webhook,
        _at("/api/v1/projects/{cast.own.pk}/webhooks/{obj.pk}"),
        {"name": "Slack #pm"},
        {"name": "Slack #dev"},
        stored("name"),
        "Slack #pm",
    ),
    ApiCase(
        "patch",
        "/api/v1/grayzone-items/{item_id}",
        make_grayzone_item,
        _at("/api/v1/grayzone-items/{obj.pk}"),
        {"title": "夜間バッチ監視の担当"},
        {"title": "在庫連携監視の担当"},
        stored("title"),
        "夜間バッチ監視の担当",
    ),
    ApiCase(
        "patch",
        "/api/v1/positions/{position_id}",
        make_position,
        _at("/api/v1/positions/{obj.pk}"),
        {"recommendation": "1日遅れます"},
        {"recommendation": "予定どおりです"},
        stored("recommendation"),
        "1日遅れます",
    ),
    ApiCase(
        "patch",
        "/api/v1/accounts/{customer_id}/partnership/assessments/{assessment_id}",
        make_partnership_check,
        _at("/api/v1/accounts/{cast.customer.pk}/partnership/assessments/{obj.pk}"),
        {"notes": "判断が早くなった"},
        {"notes": "判断待ちが続く"},
        stored("notes"),
        "判断が早くなった",
    ),
]
