"""Requirements pages through the test client: the vendor's workspace and the customer's review."""

from django.urls import reverse

from shinrai.requirements import services
from shinrai.requirements.models import Baseline, Goal, Requirement, Stakeholder


def _home(cast):
    return reverse("requirements:home", args=[cast.own.pk])


def _criteria_formset(rows, prefix="criteria"):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{key}": value for key, value in row.items()}
    return data


def test_pm_records_stakeholder_goal_and_requirement(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("requirements:stakeholder_new", args=[cast.own.pk]),
        {"name": "製造部長", "category": "executive", "visibility": "customer", "heard_on": "2026-11-02"},
    )
    assert response.status_code == 302
    stakeholder = Stakeholder.objects.get(name="製造部長")
    response = client.post(
        reverse("requirements:goal_new", args=[cast.own.pk]),
        {
            "title": "納期回答を当日中に",
            "success_definition": "営業が当日中に回答できる",
            "visibility": "customer",
        }
        | _criteria_formset(
            [{"metric": "当日回答率", "target": "95%以上", "due_date": ""}], prefix="measures"
        ),
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    response = client.post(
        reverse("requirements:requirement_new", args=[cast.own.pk]),
        {
            "text": "在庫照会画面は迅速に表示されること",
            "kind": "functional",
            "priority": "must",
            "goal": goal.pk,
            "sources": [stakeholder.pk],
            "visibility": "customer",
        }
        | _criteria_formset(
            [
                {
                    "metric": "表示時間",
                    "operator": "lte",
                    "threshold": "2",
                    "unit": "秒",
                    "condition": "同時利用者300人",
                    "method": "負荷試験",
                }
            ]
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    requirement = Requirement.objects.get()
    assert requirement.ref == "REQ-001"
    assert list(requirement.sources.all()) == [stakeholder]
    assert requirement.criteria.get().threshold == "2"
    html = client.get(_home(cast)).content.decode()
    assert "REQ-001" in html
    assert "<mark>迅速に</mark>" in html  # the vague word is shown
    assert "0%" in html  # verifiability score: 0 of 1


def test_requirement_form_shows_errors_and_writes_nothing(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("requirements:requirement_new", args=[cast.own.pk]),
        {"text": "", "kind": "non_functional", "category": "", "priority": "must", "visibility": "customer"}
        | _criteria_formset(
            [{"metric": "稼働率", "operator": "between", "threshold": "99", "method": "監視"}]
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "このフィールドは必須です" in html
    assert not Requirement.objects.exists()


def test_template_prefills_a_measurable_requirement(client, cast):
    client.force_login(cast.users["vendor_pm"])
    html = client.get(
        reverse("requirements:requirement_new", args=[cast.own.pk]) + "?template=B.2.1"
    ).content.decode()
    assert "95パーセンタイル" in html
    assert 'value="performance" selected' in html


def test_customer_cannot_open_the_vendor_workspace(client, cast):
    client.force_login(cast.users["customer_sponsor"])
    assert client.get(_home(cast)).status_code == 404
    assert client.get(reverse("requirements:requirement_new", args=[cast.own.pk])).status_code == 404


def test_review_and_approval_through_the_portal(client, cast, make_requirement):
    make_requirement()
    client.force_login(cast.users["vendor_pm"])
    client.post(reverse("requirements:review_submit", args=[cast.own.pk]), {"message": "ご確認ください"})
    portal_url = reverse("requirements:portal", args=[cast.own.pk])
    approve_url = reverse("requirements:portal_approve", args=[cast.own.pk])

    client.force_login(cast.users["customer_member"])
    html = client.get(portal_url).content.decode()
    assert "ご確認ください" in html and 'id="approve-button"' not in html
    assert client.post(approve_url).status_code == 404  # members comment; only the sponsor decides
    requirement = Requirement.objects.get()
    comment_url = reverse("requirements:portal_comment", args=[cast.own.pk, requirement.pk])
    client.post(comment_url, {"body": "倉庫別の在庫も見たいです"})

    client.force_login(cast.users["customer_sponsor"])
    html = client.get(portal_url).content.decode()
    assert 'id="approve-button"' in html and "倉庫別の在庫も見たいです" in html
    assert "同時利用者300人において、検索応答時間(95パーセンタイル)が2秒以下であること。" in html
    assert client.post(approve_url).status_code == 302  # without confirming: nothing happens
    assert not Baseline.objects.exists()
    assert client.post(approve_url, {"confirm": "yes"}).status_code == 302
    baseline = Baseline.objects.get()
    assert baseline.approved_by == cast.users["customer_sponsor"]
    assert (
        "バージョン 1" in client.get(portal_url).content.decode()
        or "version 1" in client.get(portal_url).content.decode()
    )


def test_partner_sees_only_requirements_shared_with_partners(client, cast, make_requirement):
    make_requirement("顧客向けの要件を表示すること")
    make_requirement("協力会社とも共有するAPI仕様に従うこと", visibility="partners")
    client.force_login(cast.users["partner_viewer"])
    html = client.get(reverse("requirements:portal", args=[cast.own.pk])).content.decode()
    assert "協力会社とも共有するAPI仕様" in html
    assert "顧客向けの要件" not in html


def test_internal_requirements_are_hidden_from_customers(client, cast, make_requirement):
    make_requirement("社内だけで検討中の要件であること", visibility="internal")
    client.force_login(cast.users["customer_sponsor"])
    html = client.get(reverse("requirements:portal", args=[cast.own.pk])).content.decode()
    assert "社内だけで検討中" not in html


def test_workspace_and_portal_query_counts_do_not_grow(
    client, cast, make_requirement, django_assert_max_num_queries
):
    stakeholder = services.stakeholder_save(
        by=cast.users["vendor_pm"], project=cast.own, name="A", category="other"
    )
    for _ in range(3):
        make_requirement(sources=[stakeholder])
    client.force_login(cast.users["vendor_pm"])

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    home, portal = _home(cast), reverse("requirements:portal", args=[cast.own.pk])
    small = (count(home), count(portal))
    for _ in range(20):
        make_requirement(sources=[stakeholder])
    assert (count(home), count(portal)) == small
