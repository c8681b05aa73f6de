"""The catalogue of non-functional requirement templates through the API, for the roles the page allows."""

import pytest

from shinrai.requirements import nfr_catalogue
from shinrai.requirements.models import Requirement


def _as(client, cast, role, language="en"):
    user = cast.users[role]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def _url(project) -> str:
    return f"/api/v1/projects/{project.pk}/requirements/catalogue"


@pytest.mark.parametrize("role", ["vendor_manager", "vendor_pm", "vendor_member"])
def test_vendor_roles_read_the_catalogue_in_the_pages_order(client, cast, role):
    body = _as(client, cast, role).get(_url(cast.own) + "?limit=1000").json()
    expected = [t.code for _category, templates in nfr_catalogue.grouped() for t in templates]
    assert body["count"] == len(nfr_catalogue.TEMPLATES) == len(expected)
    assert [item["code"] for item in body["items"]] == expected
    assert body["items"][0] == {
        "code": "A.1.1",
        "category": "availability",
        "category_label": "Availability",
        "title": "Service availability",
        "text": "The 〇〇 service is available at least 99.5% of each month, planned maintenance excluded.",
        "criteria": [
            {
                "metric": "monthly availability",
                "operator": "gte",
                "threshold": "99.5",
                "threshold_high": "",
                "unit": "%",
                "condition": "planned maintenance excluded",
                "method": "uptime monitoring log (1-minute checks)",
            }
        ],
    }


def test_texts_follow_the_users_language(client, cast):
    first = _as(client, cast, "vendor_pm", language="ja").get(_url(cast.own)).json()["items"][0]
    assert (first["title"], first["category_label"]) == ("稼働率", "可用性")
    assert first["text"].startswith("〇〇サービスの月間稼働率は")
    assert first["criteria"][0]["metric"] == "月間稼働率"


def test_a_template_starts_a_requirement(client, cast):
    pm = _as(client, cast, "vendor_pm")
    template = pm.get(_url(cast.own)).json()["items"][0]
    created = pm.post(
        f"/api/v1/projects/{cast.own.pk}/requirements",
        {
            "text": template["text"].replace("〇〇", "受注"),
            "kind": "non_functional",
            "category": template["category"],
            "criteria": template["criteria"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    requirement = Requirement.objects.get(pk=created.json()["id"])
    assert requirement.category == "availability"
    assert [c.metric for c in requirement.criteria.all()] == ["monthly availability"]


def test_pages(client, cast):
    pm = _as(client, cast, "vendor_pm")
    body = pm.get(_url(cast.own) + "?limit=2&offset=1").json()
    assert body["count"] == len(nfr_catalogue.TEMPLATES)
    assert [item["code"] for item in body["items"]] == ["A.1.2", "A.4.1"]
    assert pm.get(_url(cast.own) + "?limit=0").status_code == 422


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("customer_sponsor", 403),  # sees the project, may not add requirements
        ("customer_member", 403),
        ("partner_viewer", 403),
        ("outsider_customer", 404),
        ("other_vendor_manager", 404),
    ],
)
def test_other_roles_are_refused(client, cast, role, status):
    response = _as(client, cast, role).get(_url(cast.own))
    assert response.status_code == status
    assert "items" not in response.json()


def test_anonymous_callers_are_refused(client, cast):
    assert client.get(_url(cast.own)).status_code == 401
    assert client.get("/api/v1/projects/999999/requirements/catalogue").status_code == 401


def test_unknown_project_is_404(client, cast):
    assert (
        _as(client, cast, "vendor_manager").get("/api/v1/projects/999999/requirements/catalogue").status_code
        == 404
    )
