"""The account pages: list, account page, editing the plan (and a stale save), roadmap, people, signals."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.accounts import services
from shinrai.accounts.models import AccountPlan, KeyPerson, RelationshipSignal, RoadmapStep
from shinrai.core.models import AuditEvent, Role
from tests.factories import OrganizationFactory, ProjectFactory, ProjectMemberFactory

Kind = RelationshipSignal.Kind


def login(client, cast, role):
    client.force_login(cast.users[role])
    return cast.users[role]


def detail_url(customer):
    return reverse("accounts:detail", args=[customer.pk])


# --- List ---------------------------------------------------------------------------------------------------


def test_list_shows_the_accounts_of_the_users_projects(client, cast, clock):
    login(client, cast, "vendor_manager")
    body = client.get(reverse("accounts:list")).content.decode()
    assert cast.customer.name in body and cast.other_customer.name in body
    login(client, cast, "vendor_pm")
    body = client.get(reverse("accounts:list")).content.decode()
    assert cast.customer.name in body and cast.other_customer.name not in body
    login(client, cast, "vendor_admin")  # a vendor user on no project: an empty list
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 200
    assert "No accounts yet" in response.content.decode()


def test_list_figures(client, cast, clock):
    manager = login(client, cast, "vendor_manager")
    services.signal_record(
        by=manager, customer=cast.customer, kind=Kind.MEETING, occurred_on=date(2026, 8, 1)
    )
    services.signal_record(
        by=manager, customer=cast.customer, kind=Kind.WON_WITHOUT_COMPETITION, occurred_on=date(2026, 5, 1)
    )
    services.signal_record(
        by=manager, customer=cast.customer, kind=Kind.WON_IN_COMPETITION, occurred_on=date(2025, 5, 1)
    )
    services.signal_record(
        by=manager, customer=cast.customer, kind=Kind.LEARNED_FROM_RFP, occurred_on=date(2026, 10, 1)
    )
    services.plan_save(by=manager, customer=cast.customer, version=0, business="製造業")
    body = client.get(reverse("accounts:list")).content.decode()
    # 2026-08-01 .. 2026-11-09 = 100 days: silent (more than 60).
    assert "100 days" in body and "rag rag-red" in body
    assert "50%" in body and "(1 / 2)" in body
    assert "Learned of it only from the RFP" in body
    assert "2026-11-09" in body  # plan last updated today
    assert "No contact recorded" in body  # C2: never


@pytest.mark.parametrize(
    "role", ["customer_sponsor", "customer_member", "partner_viewer", "outsider_customer"]
)
def test_customer_and_partner_users_get_404_everywhere(client, cast, role):
    login(client, cast, role)
    assert client.get(reverse("accounts:list")).status_code == 404
    for customer in (cast.customer, cast.other_customer):
        assert client.get(detail_url(customer)).status_code == 404
        assert client.get(reverse("accounts:plan_edit", args=[customer.pk])).status_code == 404


# --- Account page -------------------------------------------------------------------------------------------


def _fill(cast):
    pm = cast.users["vendor_pm"]
    services.plan_save(
        by=pm,
        customer=cast.customer,
        version=0,
        business="精密部品の製造",
        market="競合A社が価格で攻勢",
        concerns="現場の入力負担",
        as_is="紙の日報",
        to_be="タブレットで即時集計",
    )
    services.roadmap_step_create(
        by=pm, customer=cast.customer, fiscal_year=2026, title="在庫の見える化", project=cast.own
    )
    services.roadmap_step_create(by=pm, customer=cast.customer, fiscal_year=2027, title="需要予測")
    services.roadmap_step_create(by=pm, customer=cast.customer, fiscal_year=2026, title="日報の電子化")
    services.key_person_create(
        by=pm,
        customer=cast.customer,
        name="佐藤部長",
        position="情報システム部長",
        influence="decision_maker",
        meet_every_days=30,
        last_met_on=date(2026, 9, 25),
    )
    services.key_person_create(by=pm, customer=cast.customer, name="鈴木課長", meet_every_days=90)
    services.key_person_create(by=pm, customer=cast.customer, name="高橋", last_met_on=date(2026, 11, 1))
    services.signal_record(
        by=pm,
        customer=cast.customer,
        kind=Kind.CONSULTED_BEFORE_RFP,
        occurred_on=date(2026, 10, 20),
        project=cast.own,
        note="次期案件の相談",
    )


def test_account_page_shows_plan_roadmap_people_signals_projects(client, cast, clock):
    _fill(cast)
    login(client, cast, "vendor_member")
    response = client.get(detail_url(cast.customer))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vendor only" in body
    for text in (
        "精密部品の製造",
        "競合A社が価格で攻勢",
        "現場の入力負担",
        "紙の日報",
        "タブレットで即時集計",
    ):
        assert text in body
    # Roadmap by fiscal year, FY2026 is the current one on 2026-11-09, steps in the order added.
    assert "FY2026 (April 2026 – March 2027)" in body and "FY2027 (April 2027 – March 2028)" in body
    assert body.index("在庫の見える化") < body.index("日報の電子化") < body.index("需要予測")
    assert "This fiscal year" in body
    # Key people: 45 days since 2026-09-25 with a plan of 30 days: overdue; never met with a plan: overdue.
    assert "Meet again — last met 45 days ago, plan every 30" in body
    assert "Meet again — not met yet, plan every 90" in body
    assert body.count("Meet again") == 2
    # Signals and the computed figures: last contact 2026-11-01 (高橋), 8 days.
    assert "Consulted before the RFP" in body and "次期案件の相談" in body
    assert "8 days" in body
    assert reverse("core:project_home", args=[cast.own.pk]) in body
    # A vendor member reads but does not edit.
    assert reverse("accounts:plan_edit", args=[cast.customer.pk]) not in body
    assert "Met today" not in body


def test_editors_see_the_edit_actions(client, cast, clock):
    _fill(cast)
    login(client, cast, "vendor_pm")
    body = client.get(detail_url(cast.customer)).content.decode()
    assert reverse("accounts:plan_edit", args=[cast.customer.pk]) in body
    assert "Met today" in body
    assert 'name="kind"' in body  # the signal form


def test_another_vendor_sees_only_its_own_account_of_the_same_customer(client, cast, clock):
    _fill(cast)
    login(client, cast, "other_vendor_manager")  # V2 works with C1 on the foreign project
    body = client.get(detail_url(cast.customer)).content.decode()
    assert "精密部品の製造" not in body and "佐藤部長" not in body and "次期案件の相談" not in body
    assert "No account plan yet." in body
    assert client.get(detail_url(cast.other_customer)).status_code == 404


def test_signal_project_a_member_is_not_on_is_not_named(client, cast, clock):
    manager = cast.users["vendor_manager"]
    hidden = ProjectFactory(
        vendor_org=cast.vendor, customer_org=cast.customer, code="HIDDEN-1", name="秘密案件"
    )
    services.signal_record(
        by=manager, customer=cast.customer, kind=Kind.MEETING, occurred_on=date(2026, 11, 2), project=hidden
    )
    login(client, cast, "vendor_member")
    body = client.get(detail_url(cast.customer)).content.decode()
    assert "HIDDEN-1" not in body and "秘密案件" not in body
    assert "A project you are not on" in body


# --- Plan ---------------------------------------------------------------------------------------------------


PLAN_POST = {
    "business": "製造業",
    "market": "",
    "environment": "",
    "concerns": "",
    "strategy": "海外展開",
    "as_is": "",
    "to_be": "",
}


def test_plan_create_and_update(client, cast, clock):
    login(client, cast, "vendor_pm")
    url = reverse("accounts:plan_edit", args=[cast.customer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, PLAN_POST | {"version": 0})
    assert response.status_code == 302 and response["Location"].endswith("#plan")
    plan = AccountPlan.objects.get(vendor_org=cast.vendor, customer_org=cast.customer)
    assert (plan.business, plan.strategy, plan.version) == ("製造業", "海外展開", 1)
    response = client.post(url, PLAN_POST | {"version": 1, "business": "精密部品"})
    plan.refresh_from_db()
    assert (plan.business, plan.version) == ("精密部品", 2)
    event = AuditEvent.objects.filter(action="account_plan.update").get()
    assert event.before == {"business": "製造業"} and event.after == {"business": "精密部品"}
    assert event.project is None


def test_stale_plan_save_is_refused_and_keeps_the_users_text(client, cast, clock):
    manager = cast.users["vendor_manager"]
    services.plan_save(by=manager, customer=cast.customer, version=0, business="元の文章")
    login(client, cast, "vendor_pm")
    url = reverse("accounts:plan_edit", args=[cast.customer.pk])
    # The PM opened version 1; meanwhile the manager saved version 2.
    services.plan_save(by=manager, customer=cast.customer, version=1, business="部長の文章")
    response = client.post(url, PLAN_POST | {"version": 1, "business": "PMの文章"})
    assert response.status_code == 409  # the shared conflict page (shinrai/core/locking.py)
    body = response.content.decode()
    assert "Someone else saved this account plan after you opened it" in body
    assert "PMの文章" in body  # their text is still in the form
    assert "部長の文章" in body  # beside what is saved now
    plan = AccountPlan.objects.get(vendor_org=cast.vendor, customer_org=cast.customer)
    assert (plan.business, plan.version) == ("部長の文章", 2)
    assert 'name="version" value="2"' in body  # saving again is a deliberate overwrite
    client.post(url, PLAN_POST | {"version": 2, "business": "PMの文章"})
    plan.refresh_from_db()
    assert (plan.business, plan.version) == ("PMの文章", 3)


def test_stale_first_save_when_someone_created_the_plan(client, cast, clock):
    login(client, cast, "vendor_pm")
    services.plan_save(by=cast.users["vendor_manager"], customer=cast.customer, version=0, business="先")
    response = client.post(reverse("accounts:plan_edit", args=[cast.customer.pk]), PLAN_POST | {"version": 0})
    assert "Someone else saved this account plan" in response.content.decode()
    assert AccountPlan.objects.get().business == "先"


def test_plan_bad_version_is_a_form_error(client, cast, clock):
    login(client, cast, "vendor_pm")
    response = client.post(
        reverse("accounts:plan_edit", args=[cast.customer.pk]), PLAN_POST | {"version": "x"}
    )
    assert response.status_code == 200
    assert not AccountPlan.objects.exists()


@pytest.mark.parametrize("role", ["vendor_member", "customer_sponsor", "partner_viewer"])
def test_who_may_not_edit_gets_404(client, cast, clock, role):
    _fill(cast)
    person = KeyPerson.objects.get(name="佐藤部長")
    step = RoadmapStep.objects.first()
    login(client, cast, role)
    c = cast.customer.pk
    for url in (
        reverse("accounts:plan_edit", args=[c]),
        reverse("accounts:step_new", args=[c]),
        reverse("accounts:step_edit", args=[c, step.pk]),
        reverse("accounts:person_new", args=[c]),
        reverse("accounts:person_edit", args=[c, person.pk]),
        reverse("accounts:signal_new", args=[c]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    for url in (
        reverse("accounts:step_delete", args=[c, step.pk]),
        reverse("accounts:person_delete", args=[c, person.pk]),
        reverse("accounts:person_met", args=[c, person.pk]),
    ):
        assert client.post(url).status_code == 404, url
    assert RoadmapStep.objects.count() == 3 and KeyPerson.objects.count() == 3
    assert KeyPerson.objects.get(pk=person.pk).last_met_on == date(2026, 9, 25)


def test_another_vendor_keeps_its_own_account_and_cannot_reach_ours(client, cast, clock):
    _fill(cast)
    person = KeyPerson.objects.get(name="佐藤部長")
    step = RoadmapStep.objects.first()
    login(client, cast, "other_vendor_manager")
    c = cast.customer.pk
    for url in (
        reverse("accounts:step_edit", args=[c, step.pk]),
        reverse("accounts:person_edit", args=[c, person.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("accounts:step_delete", args=[c, step.pk]),
        reverse("accounts:person_delete", args=[c, person.pk]),
        reverse("accounts:person_met", args=[c, person.pk]),
    ):
        assert client.post(url).status_code == 404, url
    # Their own plan of the same customer is a different row.
    client.post(reverse("accounts:plan_edit", args=[c]), PLAN_POST | {"version": 0, "business": "V2の見方"})
    assert AccountPlan.objects.get(vendor_org=cast.other_vendor).business == "V2の見方"
    assert AccountPlan.objects.get(vendor_org=cast.vendor).business == "精密部品の製造"
    assert KeyPerson.objects.get(pk=person.pk).last_met_on == date(2026, 9, 25)


def test_pm_of_another_customers_project_may_not_edit(client, cast, clock):
    # A PM of C2's project who is only a member on C1's project reads C1 but does not keep it.
    member = cast.users["vendor_member"]
    ProjectMemberFactory(project=cast.other, user=member, role=Role.VENDOR_PM)
    login(client, cast, "vendor_member")
    assert client.get(reverse("accounts:plan_edit", args=[cast.other_customer.pk])).status_code == 200
    assert client.get(reverse("accounts:plan_edit", args=[cast.customer.pk])).status_code == 404


# --- Roadmap, key people, signals -------------------------------------------------------------------------


def test_roadmap_add_edit_remove(client, cast, clock):
    login(client, cast, "vendor_pm")
    c = cast.customer.pk
    response = client.post(
        reverse("accounts:step_new", args=[c]),
        {
            "fiscal_year": 2027,
            "title": "基幹刷新",
            "description": "",
            "status": "planned",
            "project": cast.own.pk,
        },
    )
    assert response.status_code == 302
    step = RoadmapStep.objects.get()
    assert (step.fiscal_year, step.title, step.status, step.project) == (
        2027,
        "基幹刷新",
        "planned",
        cast.own,
    )
    assert step.plan.customer_org == cast.customer and step.plan.version == 1
    client.post(
        reverse("accounts:step_edit", args=[c, step.pk]),
        {"fiscal_year": 2028, "title": "基幹刷新（第2期）", "status": "idea", "project": ""},
    )
    step.refresh_from_db()
    assert (step.fiscal_year, step.title, step.project) == (2028, "基幹刷新（第2期）", None)
    client.post(reverse("accounts:step_delete", args=[c, step.pk]))
    assert not RoadmapStep.objects.exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "account_plan.create",
        "roadmap_step.create",
        "roadmap_step.update",
        "roadmap_step.delete",
    ]


def test_roadmap_step_of_another_customers_project_is_refused(client, cast, clock):
    login(client, cast, "vendor_manager")
    response = client.post(
        reverse("accounts:step_new", args=[cast.customer.pk]),
        {"fiscal_year": 2027, "title": "x", "status": "idea", "project": cast.other.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RoadmapStep.objects.exists()


def test_roadmap_step_bad_year(client, cast, clock):
    login(client, cast, "vendor_pm")
    response = client.post(
        reverse("accounts:step_new", args=[cast.customer.pk]),
        {"fiscal_year": 1999, "title": "x", "status": "idea"},
    )
    assert response.status_code == 200 and not RoadmapStep.objects.exists()


def test_key_people_add_edit_met_today_remove(client, cast, clock):
    login(client, cast, "vendor_pm")
    c = cast.customer.pk
    client.post(
        reverse("accounts:person_new", args=[c]),
        {"name": "佐藤", "position": "部長", "influence": "decision_maker", "meet_every_days": 30},
    )
    person = KeyPerson.objects.get()
    assert (person.name, person.meet_every_days, person.last_met_on) == ("佐藤", 30, None)
    client.post(
        reverse("accounts:person_edit", args=[c, person.pk]),
        {"name": "佐藤", "position": "本部長", "influence": "decision_maker", "meet_every_days": 45},
    )
    person.refresh_from_db()
    assert (person.position, person.meet_every_days) == ("本部長", 45)
    response = client.post(reverse("accounts:person_met", args=[c, person.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#people")
    person.refresh_from_db()
    assert person.last_met_on == date(2026, 11, 9)
    assert AuditEvent.objects.filter(action="key_person.met").get().after == {"last_met_on": "2026-11-09"}
    client.post(reverse("accounts:person_delete", args=[c, person.pk]))
    assert not KeyPerson.objects.exists()
    assert AuditEvent.objects.filter(action="key_person.delete").count() == 1


def test_key_person_bad_input(client, cast, clock):
    login(client, cast, "vendor_pm")
    url = reverse("accounts:person_new", args=[cast.customer.pk])
    for data in (
        {"name": "", "meet_every_days": 30},
        {"name": "x", "meet_every_days": 0},
        {"name": "x", "last_met_on": "2026-11-10"},  # tomorrow
        {"name": "x", "influence": "boss"},
    ):
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert 'class="errorlist' in response.content.decode(), data
    assert not KeyPerson.objects.exists()


def test_key_person_future_date_message(client, cast, clock):
    login(client, cast, "vendor_pm")
    response = client.post(
        reverse("accounts:person_new", args=[cast.customer.pk]), {"name": "x", "last_met_on": "2026-11-10"}
    )
    assert "The date cannot be in the future." in response.content.decode()


def test_record_signal(client, cast, clock):
    login(client, cast, "vendor_pm")
    response = client.post(
        reverse("accounts:signal_new", args=[cast.customer.pk]),
        {"kind": "competitor_quotes", "occurred_on": "2026-11-09", "project": cast.own.pk, "note": "A社も"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#signals")
    signal = RelationshipSignal.objects.get()
    assert (signal.vendor_org, signal.customer_org, signal.kind, signal.project, signal.note) == (
        cast.vendor,
        cast.customer,
        "competitor_quotes",
        cast.own,
        "A社も",
    )
    assert signal.recorded_by == cast.users["vendor_pm"]
    event = AuditEvent.objects.get(action="relationship_signal.create")
    assert event.project is None and event.after["kind"] == "competitor_quotes"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "meeting", "occurred_on": "2026-11-10"}, "The date cannot be in the future."),
        ({"kind": "gossip", "occurred_on": "2026-11-01"}, "Select a valid choice"),
        ({"kind": "meeting", "occurred_on": "yesterday"}, "Enter a valid date"),
        ({"kind": "meeting", "occurred_on": "2026-11-01", "project": "OTHER"}, "Select a valid choice"),
    ],
)
def test_record_signal_bad_input(client, cast, clock, data, message):
    if data.get("project") == "OTHER":
        data = data | {"project": cast.other.pk}  # a project of another customer
    login(client, cast, "vendor_manager")
    response = client.post(reverse("accounts:signal_new", args=[cast.customer.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RelationshipSignal.objects.exists()


def test_service_refuses_a_project_of_another_account(cast, clock):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.signal_record(
            by=cast.users["vendor_manager"],
            customer=cast.customer,
            kind=Kind.MEETING,
            occurred_on=date(2026, 11, 1),
            project=cast.other,
        )
    assert "project" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.signal_record(
            by=cast.users["vendor_manager"],
            customer=cast.customer,
            kind="gossip",
            occurred_on=date(2026, 11, 1),
        )
    assert not RelationshipSignal.objects.exists()


# --- Query counts -----------------------------------------------------------------------------------------


def _grow(cast, n):
    manager = cast.users["vendor_manager"]
    for i in range(n):
        customer = OrganizationFactory()
        project = ProjectFactory(vendor_org=cast.vendor, customer_org=customer)
        services.plan_save(by=manager, customer=customer, version=0, business=f"b{i}")
        services.signal_record(by=manager, customer=customer, kind=Kind.MEETING, occurred_on=date(2026, 9, 1))
        services.signal_record(
            by=manager,
            customer=customer,
            kind=Kind.WON_IN_COMPETITION,
            occurred_on=date(2026, 9, 1),
            project=project,
        )
        services.roadmap_step_create(
            by=manager, customer=cast.customer, fiscal_year=2026 + i % 3, title=f"s{i}"
        )
        services.roadmap_step_create(
            by=manager, customer=cast.customer, fiscal_year=2027, title=f"p{i}", project=cast.own
        )
        services.key_person_create(
            by=manager, customer=cast.customer, name=f"k{i}", meet_every_days=10, last_met_on=date(2026, 9, 1)
        )
        services.signal_record(
            by=manager,
            customer=cast.customer,
            kind=Kind.MEETING,
            occurred_on=date(2026, 9, 1),
            project=cast.own,
        )
        ProjectFactory(vendor_org=cast.vendor, customer_org=cast.customer)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["list", "detail"])
def test_constant_queries(client, cast, clock, url_name):
    login(client, cast, "vendor_manager")
    url = reverse("accounts:list") if url_name == "list" else detail_url(cast.customer)
    _grow(cast, 1)
    small = _count(client, url)
    _grow(cast, 5)
    assert _count(client, url) == small
