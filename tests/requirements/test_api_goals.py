"""The requirements API for stakeholders and goals: reading, writing, validation and who may do it."""

from datetime import date

import pytest

from shinrai.core.models import AuditEvent
from shinrai.requirements import services
from shinrai.requirements.models import Goal, Stakeholder, SuccessMeasure

from ..clock import _english  # noqa: F401 (pytest fixture, used by name)

pytestmark = pytest.mark.usefixtures("_english")

REQUIRED = "This field is required."
FORBIDDEN = {"detail": "Forbidden"}


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def _errors(response) -> set[tuple[str | None, str]]:
    assert response.status_code == 422, response.content
    return {(error["field"], error["message"]) for error in response.json()["detail"]}


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


def _stakeholder(cast, project=None, **fields):
    values = {"name": "倉庫担当", "category": "field_staff"} | fields
    return services.stakeholder_save(by=cast.users["vendor_pm"], project=project or cast.own, **values)


def _goal(cast, project=None, measures=(), **fields):
    values = {
        "title": "出荷ミスをなくす",
        "success_definition": "誤出荷ゼロ",
        "to_be": "検品を自動化",
    } | fields
    return services.goal_save(
        by=cast.users["vendor_pm"], project=project or cast.own, measures=list(measures), **values
    )


# --- Stakeholders: reading -----------------------------------------------------------------------------


def test_vendor_roles_list_the_stakeholders(client, cast):
    heard = _stakeholder(
        cast,
        name="田中部長",
        organization_name="物流部",
        category="executive",
        expectations="出荷ミスを減らしたい",
        concerns="現場の負担",
        heard_on=date(2026, 11, 2),
        hearing_notes="週次で確認",
    )
    internal = _stakeholder(cast, name="佐藤", visibility="internal")
    _stakeholder(cast, project=cast.other, name="別案件の人")
    page = _as(client, cast, "vendor_member").get(f"/api/v1/projects/{cast.own.pk}/stakeholders").json()
    assert page["count"] == 2
    first, second = page["items"]  # ordered by category, then name
    assert first == {
        "id": heard.pk,
        "name": "田中部長",
        "organization_name": "物流部",
        "category": "executive",
        "expectations": "出荷ミスを減らしたい",
        "concerns": "現場の負担",
        "heard_on": "2026-11-02",
        "is_heard": True,
        "hearing_notes": "週次で確認",
        "visibility": "customer",
        "created_at": first["created_at"],
    }
    assert (second["id"], second["is_heard"], second["visibility"]) == (internal.pk, False, "internal")


def test_one_stakeholder(client, cast):
    stakeholder = _stakeholder(cast, concerns="現場の負担")
    body = _as(client, cast, "vendor_pm").get(f"/api/v1/stakeholders/{stakeholder.pk}").json()
    assert (body["id"], body["name"], body["concerns"]) == (stakeholder.pk, "倉庫担当", "現場の負担")


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member", "partner_viewer"])
def test_stakeholders_are_not_read_by_customers_or_partners(client, cast, role):
    """The pages show stakeholders (and interview notes) on the vendor's workspace only."""
    shared = _stakeholder(cast, visibility="partners")
    internal = _stakeholder(cast, name="佐藤", visibility="internal")
    _as(client, cast, role)
    listed = client.get(f"/api/v1/projects/{cast.own.pk}/stakeholders")
    assert (listed.status_code, listed.json()) == (403, FORBIDDEN)
    assert client.get(f"/api/v1/stakeholders/{shared.pk}").status_code == 403
    assert client.get(f"/api/v1/stakeholders/{internal.pk}").status_code == 404


def test_other_tenants_stakeholders_answer_404(client, cast):
    foreign = _stakeholder(cast, project=cast.foreign)
    other = _stakeholder(cast, project=cast.other)
    _as(client, cast, "vendor_pm")  # a member of OWN-1 only
    assert client.get(f"/api/v1/projects/{cast.other.pk}/stakeholders").status_code == 404
    assert client.get(f"/api/v1/stakeholders/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/stakeholders/{foreign.pk}").status_code == 404
    assert _patch(client, f"/api/v1/stakeholders/{foreign.pk}", {"name": "x"}).status_code == 404


# --- Stakeholders: writing -----------------------------------------------------------------------------


def test_create_a_stakeholder(client, cast):
    response = _post(
        _as(client, cast, "vendor_member"),
        f"/api/v1/projects/{cast.own.pk}/stakeholders",
        {
            "name": "  現場リーダー ",
            "category": "end_user",
            "heard_on": "2026-11-20",
            "visibility": "internal",
        },
    )
    assert response.status_code == 201, response.content
    stakeholder = Stakeholder.objects.get()
    assert response.json()["id"] == stakeholder.pk
    assert (stakeholder.project, stakeholder.name, stakeholder.category) == (
        cast.own,
        "現場リーダー",
        "end_user",
    )
    assert (stakeholder.heard_on, stakeholder.visibility) == (date(2026, 11, 20), "internal")
    assert AuditEvent.objects.filter(action="stakeholder.create").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "executive"}, "name"),
        ({"name": "  ", "category": "executive"}, "name"),
        ({"name": "x" * 101, "category": "executive"}, "name"),
        ({"name": "田中", "category": "boss"}, "category"),
        ({"name": "田中", "category": "executive", "heard_on": "先週"}, "heard_on"),
        ({"name": "田中", "category": "executive", "project_id": 1}, "project_id"),
    ],
)
def test_create_a_stakeholder_refuses_bad_input(client, cast, body, field):
    response = _post(_as(client, cast, "vendor_pm"), f"/api/v1/projects/{cast.own.pk}/stakeholders", body)
    assert field in {name for name, _message in _errors(response)}
    assert not Stakeholder.objects.exists()


def test_missing_name_is_said_in_english(client, cast):
    response = _post(
        _as(client, cast, "vendor_pm"), f"/api/v1/projects/{cast.own.pk}/stakeholders", {"category": "other"}
    )
    assert _errors(response) == {("name", REQUIRED)}


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member", "partner_viewer"])
def test_customers_and_partners_may_not_write_stakeholders(client, cast, role):
    stakeholder = _stakeholder(cast, visibility="partners")
    _as(client, cast, role)
    body = {"name": "追加", "category": "other"}
    assert _post(client, f"/api/v1/projects/{cast.own.pk}/stakeholders", body).status_code == 403
    assert _patch(client, f"/api/v1/stakeholders/{stakeholder.pk}", {"name": "変更"}).status_code == 403
    stakeholder.refresh_from_db()
    assert stakeholder.name == "倉庫担当"
    assert Stakeholder.objects.count() == 1


def test_patch_a_stakeholder_changes_only_the_fields_sent(client, cast):
    stakeholder = _stakeholder(cast, concerns="現場の負担", heard_on=date(2026, 11, 2))
    response = _patch(
        _as(client, cast, "vendor_pm"),
        f"/api/v1/stakeholders/{stakeholder.pk}",
        {"hearing_notes": "再ヒアリング予定", "heard_on": None},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["heard_on"], response.json()["is_heard"]) == (None, False)
    stakeholder.refresh_from_db()
    assert (stakeholder.name, stakeholder.concerns) == ("倉庫担当", "現場の負担")
    assert (stakeholder.hearing_notes, stakeholder.heard_on) == ("再ヒアリング予定", None)


@pytest.mark.parametrize("body", [{"name": None}, {"category": None}, {"name": ""}, {"visibility": "public"}])
def test_patch_a_stakeholder_refuses_bad_input(client, cast, body):
    stakeholder = _stakeholder(cast)
    response = _patch(_as(client, cast, "vendor_pm"), f"/api/v1/stakeholders/{stakeholder.pk}", body)
    assert _errors(response)
    stakeholder.refresh_from_db()
    assert (stakeholder.name, stakeholder.category, stakeholder.visibility) == (
        "倉庫担当",
        "field_staff",
        "customer",
    )


# --- Goals: reading ------------------------------------------------------------------------------------


def test_vendor_roles_read_goals_with_measures_and_to_be(client, cast):
    goal = _goal(cast, measures=[{"metric": "誤出荷件数", "target": "0件", "due_date": date(2027, 3, 31)}])
    page = _as(client, cast, "vendor_member").get(f"/api/v1/projects/{cast.own.pk}/goals").json()
    assert page["count"] == 1
    assert page["items"][0] == {
        "id": goal.pk,
        "title": "出荷ミスをなくす",
        "to_be": "検品を自動化",
        "success_definition": "誤出荷ゼロ",
        "visibility": "customer",
        "measures": [{"metric": "誤出荷件数", "target": "0件", "due_date": "2027-03-31"}],
        "created_at": page["items"][0]["created_at"],
    }
    assert client.get(f"/api/v1/goals/{goal.pk}").json() == page["items"][0]


def test_customers_read_the_goals_they_may_see_without_to_be(client, cast):
    shared = _goal(cast, measures=[{"metric": "誤出荷件数", "target": "0件"}])
    internal = _goal(cast, title="社内目標", visibility="internal")
    _as(client, cast, "customer_member")
    page = client.get(f"/api/v1/projects/{cast.own.pk}/goals").json()
    assert [item["id"] for item in page["items"]] == [shared.pk]
    assert page["items"][0]["to_be"] is None
    assert page["items"][0]["success_definition"] == "誤出荷ゼロ"
    assert page["items"][0]["measures"] == [{"metric": "誤出荷件数", "target": "0件", "due_date": None}]
    assert client.get(f"/api/v1/goals/{shared.pk}").json()["to_be"] is None
    assert client.get(f"/api/v1/goals/{internal.pk}").status_code == 404


def test_partners_read_only_goals_shared_with_partners(client, cast):
    _goal(cast)
    shared = _goal(cast, title="共有目標", visibility="partners")
    page = _as(client, cast, "partner_viewer").get(f"/api/v1/projects/{cast.own.pk}/goals").json()
    assert [item["id"] for item in page["items"]] == [shared.pk]


def test_other_tenants_goals_answer_404(client, cast):
    foreign = _goal(cast, project=cast.foreign)
    _as(client, cast, "vendor_pm")
    assert client.get(f"/api/v1/projects/{cast.foreign.pk}/goals").status_code == 404
    assert client.get(f"/api/v1/goals/{foreign.pk}").status_code == 404
    assert _patch(client, f"/api/v1/goals/{foreign.pk}", {"title": "x"}).status_code == 404


# --- Goals: writing ------------------------------------------------------------------------------------


def test_create_a_goal_with_measures(client, cast):
    response = _post(
        _as(client, cast, "vendor_pm"),
        f"/api/v1/projects/{cast.own.pk}/goals",
        {
            "title": "問い合わせに当日回答",
            "success_definition": "当日中に回答できる",
            "measures": [{"metric": "当日回答率", "target": "95%", "due_date": "2027-03-31"}],
        },
    )
    assert response.status_code == 201, response.content
    goal = Goal.objects.get()
    assert response.json()["id"] == goal.pk
    assert response.json()["measures"] == [
        {"metric": "当日回答率", "target": "95%", "due_date": "2027-03-31"}
    ]
    assert (goal.project, goal.title, goal.to_be, goal.visibility) == (
        cast.own,
        "問い合わせに当日回答",
        "",
        "customer",
    )
    assert [(m.metric, m.target, m.due_date) for m in goal.measures.all()] == [
        ("当日回答率", "95%", date(2027, 3, 31))
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "目的"}, "success_definition"),
        ({"title": "", "success_definition": "成功"}, "title"),
        ({"title": "x" * 201, "success_definition": "成功"}, "title"),
        (
            {"title": "目的", "success_definition": "成功", "measures": [{"metric": "件数"}]},
            "measures.0.target",
        ),
        (
            {
                "title": "目的",
                "success_definition": "成功",
                "measures": [{"metric": "件数", "target": "x" * 101}],
            },
            "measures.0.target",
        ),
    ],
)
def test_create_a_goal_refuses_bad_input(client, cast, body, field):
    response = _post(_as(client, cast, "vendor_pm"), f"/api/v1/projects/{cast.own.pk}/goals", body)
    assert field in {name for name, _message in _errors(response)}
    assert not Goal.objects.exists()
    assert not SuccessMeasure.objects.exists()


def test_patch_a_goal_keeps_the_measures_unless_sent(client, cast):
    goal = _goal(cast, measures=[{"metric": "誤出荷件数", "target": "0件"}])
    _as(client, cast, "vendor_member")
    response = _patch(client, f"/api/v1/goals/{goal.pk}", {"title": "誤出荷ゼロ"})
    assert response.status_code == 200, response.content
    assert response.json()["measures"] == [{"metric": "誤出荷件数", "target": "0件", "due_date": None}]
    response = _patch(
        client, f"/api/v1/goals/{goal.pk}", {"measures": [{"metric": "検品時間", "target": "半減"}]}
    )
    assert response.json()["measures"] == [{"metric": "検品時間", "target": "半減", "due_date": None}]
    goal.refresh_from_db()
    assert (goal.title, goal.success_definition) == ("誤出荷ゼロ", "誤出荷ゼロ")
    assert [m.metric for m in goal.measures.all()] == ["検品時間"]
    _patch(client, f"/api/v1/goals/{goal.pk}", {"measures": []})
    assert not goal.measures.exists()


def test_patch_a_goal_refuses_null_for_required_fields(client, cast):
    goal = _goal(cast)
    response = _patch(
        _as(client, cast, "vendor_pm"), f"/api/v1/goals/{goal.pk}", {"success_definition": None}
    )
    assert _errors(response)
    goal.refresh_from_db()
    assert goal.success_definition == "誤出荷ゼロ"


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member"])
def test_customers_may_not_write_goals(client, cast, role):
    goal = _goal(cast)
    _as(client, cast, role)
    body = {"title": "追加", "success_definition": "成功"}
    assert _post(client, f"/api/v1/projects/{cast.own.pk}/goals", body).status_code == 403
    response = _patch(client, f"/api/v1/goals/{goal.pk}", {"title": "変更"})
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    goal.refresh_from_db()
    assert goal.title == "出荷ミスをなくす"
    assert Goal.objects.count() == 1
