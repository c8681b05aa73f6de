"""The requirements API: lists, writes, validation, access, languages, the checker and baselines."""

import pytest
from django.test import Client

from shinrai.core import services as core_services
from shinrai.requirements import services, verifiability
from shinrai.requirements.models import Requirement

from .conftest import CRITERION

CRITERION_JA = (
    "同時利用者300人において、検索応答時間(95パーセンタイル)が2秒以下であること。測定方法: 負荷試験"
)
CRITERION_EN = {
    "metric": "search response time (95th percentile)",
    "operator": "lte",
    "threshold": "2",
    "unit": "s",
    "condition": "300 users are connected",
    "method": "load test",
}
REQUIRED_JA = "このフィールドは必須です。"


def _bearer(clear):
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def _post(client, url, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def _errors(response):
    assert response.status_code == 422, response.content
    return {(error["field"], error["message"]) for error in response.json()["detail"]}


def _fields(response):
    return sorted(field for field, _message in _errors(response))


@pytest.fixture
def vendor(client, cast):
    client.force_login(cast.users["vendor_pm"])
    return client


@pytest.fixture
def stakeholder(cast):
    return services.stakeholder_save(
        by=cast.users["vendor_pm"], project=cast.own, name="倉庫担当", category="field_staff"
    )


@pytest.fixture
def goal(cast):
    return services.goal_save(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title="出荷ミスをなくす",
        success_definition="誤出荷ゼロ",
    )


# --- List and detail -----------------------------------------------------------------------------------


def test_list_shows_requirements_with_criteria_and_links(vendor, cast, make_requirement, stakeholder, goal):
    requirement = make_requirement(goal=goal, sources=[stakeholder])
    make_requirement("画面は迅速に表示されること", criteria=())
    page = vendor.get(f"/api/v1/projects/{cast.own.pk}/requirements").json()
    assert page["count"] == 2
    first, second = page["items"]
    assert first["id"] == requirement.pk
    assert first["ref"] == "REQ-001"
    assert first["status"] == "draft"
    assert first["kind"] == "functional"
    assert first["category"] is None
    assert first["priority"] == "must"
    assert first["visibility"] == "customer"
    assert first["goal_id"] == goal.pk
    assert first["source_ids"] == [stakeholder.pk]
    assert first["is_verifiable"] is True
    assert first["findings"] == []
    [criterion] = first["criteria"]
    assert criterion["sentence"] == CRITERION_JA
    assert {k: criterion[k] for k in CRITERION} == CRITERION
    assert second["ref"] == "REQ-002"
    assert second["is_verifiable"] is False
    assert ["画面は迅速に表示されること"[f["start"] : f["end"]] for f in second["findings"]] == ["迅速に"]


def test_criteria_sentences_follow_the_users_language(client, cast, make_requirement):
    make_requirement("Search results shall be shown within 2 s.", criteria=[CRITERION_EN])
    user = cast.users["vendor_member"]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    [item] = client.get(f"/api/v1/projects/{cast.own.pk}/requirements").json()["items"]
    assert item["criteria"][0]["sentence"] == (
        "Search response time (95th percentile) is at most 2 s when 300 users are connected. "
        "Measured by: load test"
    )


def test_token_callers_get_their_saved_language(client, cast, make_requirement):
    make_requirement(criteria=[CRITERION_EN])
    user = cast.users["customer_member"]
    _token, clear = core_services.api_token_create(user=user, name="Excel")
    url = f"/api/v1/projects/{cast.own.pk}/requirements"
    # The saved choice wins over the client's Accept-Language, as it does for pages.
    japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **_bearer(clear)).json()["items"][0]
    assert japanese["criteria"][0]["sentence"].startswith("300 users are connectedにおいて、")
    user.language = "en"
    user.save(update_fields=["language"])
    english = client.get(url, **_bearer(clear)).json()["items"][0]
    assert english["criteria"][0]["sentence"].startswith(
        "Search response time (95th percentile) is at most 2 s"
    )


def test_detail_of_a_requirement(vendor, cast, make_requirement):
    requirement = make_requirement()
    data = vendor.get(f"/api/v1/requirements/{requirement.pk}").json()
    assert data["ref"] == "REQ-001"
    assert data["text"] == "在庫一覧を2秒以内に表示すること"
    assert [c["sentence"] for c in data["criteria"]] == [CRITERION_JA]


def test_list_query_count_does_not_grow_with_requirements(
    vendor, cast, make_requirement, stakeholder, goal, django_assert_max_num_queries
):
    # session, user, project, role, count, requirements with goals, criteria, sources
    url = f"/api/v1/projects/{cast.own.pk}/requirements"
    make_requirement(goal=goal, sources=[stakeholder])
    with django_assert_max_num_queries(8):
        assert vendor.get(url).json()["count"] == 1
    for _ in range(15):
        make_requirement(goal=goal, sources=[stakeholder], criteria=[CRITERION, CRITERION_EN])
    with django_assert_max_num_queries(8):
        page = vendor.get(url).json()
    assert page["count"] == 16
    assert all(item["source_ids"] == [stakeholder.pk] for item in page["items"])
    assert sum(len(item["criteria"]) for item in page["items"]) == 31


# --- Visibility and tenants ----------------------------------------------------------------------------


def test_internal_requirements_are_invisible_to_customers(client, cast, make_requirement):
    shared = make_requirement("共有する要件")
    internal = make_requirement("社内だけの要件", visibility="internal")
    client.force_login(cast.users["customer_sponsor"])
    items = client.get(f"/api/v1/projects/{cast.own.pk}/requirements").json()["items"]
    assert [item["id"] for item in items] == [shared.pk]
    assert client.get(f"/api/v1/requirements/{internal.pk}").status_code == 404
    assert client.get(f"/api/v1/requirements/{shared.pk}").status_code == 200


def test_internal_sources_are_not_named_to_customers(client, cast, make_requirement):
    public = services.stakeholder_save(
        by=cast.users["vendor_pm"], project=cast.own, name="部長", category="executive"
    )
    hidden = services.stakeholder_save(
        by=cast.users["vendor_pm"], project=cast.own, name="社内SE", category="other", visibility="internal"
    )
    requirement = make_requirement(sources=[public, hidden])
    client.force_login(cast.users["customer_member"])
    assert client.get(f"/api/v1/requirements/{requirement.pk}").json()["source_ids"] == [public.pk]


def test_other_tenants_answer_404(vendor, cast, make_requirement):
    theirs = make_requirement(project=cast.foreign, by=cast.users["other_vendor_manager"])
    criterion = theirs.criteria.get()
    missing = vendor.get("/api/v1/requirements/999999")
    responses = [
        vendor.get(f"/api/v1/projects/{cast.foreign.pk}/requirements"),
        _post(vendor, f"/api/v1/projects/{cast.foreign.pk}/requirements", {"text": "追加"}),
        vendor.get(f"/api/v1/requirements/{theirs.pk}"),
        _patch(vendor, f"/api/v1/requirements/{theirs.pk}", {"text": "変更"}),
        _post(vendor, f"/api/v1/requirements/{theirs.pk}/criteria", CRITERION),
        vendor.delete(f"/api/v1/criteria/{criterion.pk}"),
        vendor.get(f"/api/v1/projects/{cast.foreign.pk}/baselines"),
    ]
    assert [r.status_code for r in responses] == [404] * 7
    assert all(r.json() == missing.json() for r in responses)
    theirs.refresh_from_db()
    assert theirs.text == "在庫一覧を2秒以内に表示すること"
    assert theirs.criteria.count() == 1


def test_customer_may_read_but_not_write(client, cast, make_requirement):
    requirement = make_requirement()
    client.force_login(cast.users["customer_sponsor"])
    responses = [
        _post(client, f"/api/v1/projects/{cast.own.pk}/requirements", {"text": "追加"}),
        _patch(client, f"/api/v1/requirements/{requirement.pk}", {"text": "変更"}),
        _post(client, f"/api/v1/requirements/{requirement.pk}/criteria", CRITERION),
        client.delete(f"/api/v1/criteria/{requirement.criteria.get().pk}"),
    ]
    assert [r.status_code for r in responses] == [403] * 4
    assert responses[0].json() == {"detail": "Forbidden"}
    assert Requirement.objects.count() == 1
    requirement.refresh_from_db()
    assert requirement.text == "在庫一覧を2秒以内に表示すること"


def test_anonymous_is_refused(client, cast, make_requirement):
    assert client.get(f"/api/v1/projects/{cast.own.pk}/requirements").status_code == 401
    assert _post(client, "/api/v1/verifiability", {"text": "速く"}).status_code == 401


# --- Create --------------------------------------------------------------------------------------------


def test_create_requirement(vendor, cast, stakeholder, goal):
    body = {
        "text": "検索結果は95パーセンタイルで2秒以内に表示すること",
        "kind": "non_functional",
        "category": "performance",
        "priority": "should",
        "goal_id": goal.pk,
        "source_ids": [stakeholder.pk],
        "criteria": [CRITERION],
    }
    response = _post(vendor, f"/api/v1/projects/{cast.own.pk}/requirements", body)
    assert response.status_code == 201, response.content
    data = response.json()
    requirement = Requirement.objects.get()
    assert data["id"] == requirement.pk
    assert data["ref"] == "REQ-001"
    assert (data["kind"], data["category"], data["priority"]) == ("non_functional", "performance", "should")
    assert (data["goal_id"], data["source_ids"]) == (goal.pk, [stakeholder.pk])
    assert data["is_verifiable"] is True
    assert [c["sentence"] for c in data["criteria"]] == [CRITERION_JA]
    assert requirement.project == cast.own
    assert list(requirement.sources.all()) == [stakeholder]


def test_create_computes_findings(vendor, cast):
    response = _post(
        vendor, f"/api/v1/projects/{cast.own.pk}/requirements", {"text": "画面は迅速に表示されること"}
    )
    assert response.status_code == 201
    data = response.json()
    assert data["is_verifiable"] is False
    assert data["findings"]
    assert Requirement.objects.get().is_verifiable is False


def test_create_refuses_a_bad_choice(vendor, cast):
    response = _post(
        vendor, f"/api/v1/projects/{cast.own.pk}/requirements", {"text": "要件", "kind": "bogus"}
    )
    assert _errors(response) == {("kind", "正しく選択してください。選択したものは候補にありません。")}
    assert not Requirement.objects.exists()


def test_create_needs_text(vendor, cast):
    url = f"/api/v1/projects/{cast.own.pk}/requirements"
    assert _errors(_post(vendor, url, {"kind": "functional"})) == {("text", REQUIRED_JA)}
    assert _errors(_post(vendor, url, {"text": "   "})) == {("text", "このフィールドは空ではいけません。")}


def test_non_functional_needs_a_category(vendor, cast):
    response = _post(
        vendor, f"/api/v1/projects/{cast.own.pk}/requirements", {"text": "要件", "kind": "non_functional"}
    )
    assert _fields(response) == ["category"]
    assert not Requirement.objects.exists()


def test_functional_requirement_drops_the_category(vendor, cast):
    body = {"text": "在庫一覧を表示すること", "kind": "functional", "category": "security"}
    response = _post(vendor, f"/api/v1/projects/{cast.own.pk}/requirements", body)
    assert response.status_code == 201
    assert response.json()["category"] is None


def test_range_needs_an_upper_threshold(vendor, cast):
    criteria = [CRITERION, CRITERION | {"operator": "between", "threshold_high": ""}]
    response = _post(
        vendor, f"/api/v1/projects/{cast.own.pk}/requirements", {"text": "要件", "criteria": criteria}
    )
    assert _fields(response) == ["criteria.1.threshold_high"]
    assert not Requirement.objects.exists()


def test_several_input_errors_are_reported_together(vendor, cast):
    body = {"text": "要件", "priority": "urgent", "criteria": [{"operator": "lte", "threshold": "2"}]}
    response = _post(vendor, f"/api/v1/projects/{cast.own.pk}/requirements", body)
    assert _fields(response) == ["criteria.0.method", "criteria.0.metric", "priority"]


def test_goal_and_sources_must_belong_to_the_project(vendor, cast):
    other_goal = services.goal_save(
        by=cast.users["vendor_manager"], project=cast.other, title="他", success_definition="他"
    )
    other_source = services.stakeholder_save(
        by=cast.users["vendor_manager"], project=cast.other, name="他", category="other"
    )
    url = f"/api/v1/projects/{cast.own.pk}/requirements"
    assert _fields(_post(vendor, url, {"text": "要件", "goal_id": other_goal.pk})) == ["goal_id"]
    assert _fields(_post(vendor, url, {"text": "要件", "source_ids": [other_source.pk]})) == ["source_ids"]
    assert not Requirement.objects.exists()


def test_messages_follow_the_users_language(client, cast):
    user = cast.users["vendor_pm"]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = _post(client, f"/api/v1/projects/{cast.own.pk}/requirements", {"kind": "functional"})
    assert _errors(response) == {("text", "This field is required.")}


def test_session_writes_need_the_csrf_token_and_tokens_do_not(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/projects/{cast.own.pk}/requirements"
    assert _post(browser, url, {"text": "在庫一覧を表示すること"}).status_code == 403
    _token, clear = core_services.api_token_create(user=cast.users["vendor_pm"], name="CI")
    assert (
        _post(
            Client(enforce_csrf_checks=True), url, {"text": "在庫一覧を表示すること"}, **_bearer(clear)
        ).status_code
        == 201
    )
    assert Requirement.objects.count() == 1


# --- Update --------------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(vendor, cast, make_requirement, goal):
    requirement = make_requirement(goal=goal)
    response = _patch(vendor, f"/api/v1/requirements/{requirement.pk}", {"priority": "could"})
    assert response.status_code == 200
    data = response.json()
    assert (data["priority"], data["text"], data["goal_id"]) == (
        "could",
        "在庫一覧を2秒以内に表示すること",
        goal.pk,
    )
    assert [c["sentence"] for c in data["criteria"]] == [CRITERION_JA]


def test_patch_replaces_criteria_and_clears_the_goal(vendor, cast, make_requirement, goal):
    requirement = make_requirement(goal=goal)
    body = {"goal_id": None, "criteria": [CRITERION | {"threshold": "3"}, CRITERION_EN]}
    data = _patch(vendor, f"/api/v1/requirements/{requirement.pk}", body).json()
    assert data["goal_id"] is None
    assert [c["threshold"] for c in data["criteria"]] == ["3", "2"]
    assert requirement.criteria.count() == 2


def test_patch_to_non_functional_needs_a_category(vendor, cast, make_requirement):
    requirement = make_requirement()
    url = f"/api/v1/requirements/{requirement.pk}"
    assert _fields(_patch(vendor, url, {"kind": "non_functional"})) == ["category"]
    data = _patch(vendor, url, {"kind": "non_functional", "category": "security"}).json()
    assert (data["kind"], data["category"]) == ("non_functional", "security")
    assert _fields(_patch(vendor, url, {"category": ""})) == ["category"]
    data = _patch(vendor, url, {"kind": "functional"}).json()
    assert (data["kind"], data["category"]) == ("functional", None)


def test_patch_refuses_null_for_required_fields(vendor, cast, make_requirement):
    requirement = make_requirement()
    assert _fields(_patch(vendor, f"/api/v1/requirements/{requirement.pk}", {"text": None})) == ["text"]


def test_editing_during_a_customer_review_answers_422(vendor, cast, make_requirement):
    requirement = make_requirement()
    services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    responses = [
        _patch(vendor, f"/api/v1/requirements/{requirement.pk}", {"text": "変更"}),
        _post(vendor, f"/api/v1/projects/{cast.own.pk}/requirements", {"text": "追加"}),
        _post(vendor, f"/api/v1/requirements/{requirement.pk}/criteria", CRITERION_EN),
        vendor.delete(f"/api/v1/criteria/{requirement.criteria.get().pk}"),
    ]
    for response in responses:
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["field"] is None
        assert error["message"]
    requirement.refresh_from_db()
    assert requirement.text == "在庫一覧を2秒以内に表示すること"
    assert Requirement.objects.count() == 1
    assert requirement.criteria.count() == 1


# --- Criteria ------------------------------------------------------------------------------------------


def test_add_a_criterion(vendor, cast, make_requirement):
    requirement = make_requirement()
    response = _post(vendor, f"/api/v1/requirements/{requirement.pk}/criteria", CRITERION_EN)
    assert response.status_code == 201
    assert [c["metric"] for c in response.json()["criteria"]] == [CRITERION["metric"], CRITERION_EN["metric"]]
    assert requirement.criteria.count() == 2


def test_added_criterion_is_validated(vendor, cast, make_requirement):
    requirement = make_requirement()
    response = _post(
        vendor, f"/api/v1/requirements/{requirement.pk}/criteria", CRITERION | {"operator": "between"}
    )
    assert _fields(response) == ["threshold_high"]
    assert requirement.criteria.count() == 1


def test_delete_a_criterion(vendor, cast, make_requirement):
    requirement = make_requirement(criteria=[CRITERION, CRITERION_EN])
    first = requirement.criteria.get(metric=CRITERION["metric"])
    response = vendor.delete(f"/api/v1/criteria/{first.pk}")
    assert response.status_code == 204
    assert list(requirement.criteria.values_list("metric", flat=True)) == [CRITERION_EN["metric"]]


# --- Verifiability checker -----------------------------------------------------------------------------


def test_checker_finds_vague_japanese(vendor):
    text = "画面は迅速に表示されること"
    response = _post(vendor, "/api/v1/verifiability", {"text": text})
    assert response.status_code == 200
    data = response.json()
    assert (data["text"], data["language"], data["verifiable"]) == (text, "ja", False)
    [finding] = [f for f in data["findings"] if "迅速" in text[f["start"] : f["end"]]]
    assert text[finding["start"] : finding["end"]] == "迅速に"
    assert finding["category"] == "unquantified"
    assert finding["message"].startswith("「迅速に」")
    assert finding["suggestion"]


def test_checker_offsets_match_the_text_as_sent(vendor):
    text = "  画面は迅速に表示されること\n"
    data = _post(vendor, "/api/v1/verifiability", {"text": text}).json()
    assert data["text"] == text
    assert [text[f["start"] : f["end"]] for f in data["findings"]] == ["迅速に"]


def test_findings_are_explained_in_the_readers_language(client, cast, make_requirement):
    text = "画面は迅速に表示されること"
    requirement = make_requirement(text, criteria=())
    [finding] = verifiability.check(text)
    english = (finding.message_en, finding.suggestion_en)
    assert finding.message != finding.message_en
    user = cast.users["vendor_member"]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    [stored] = client.get(f"/api/v1/requirements/{requirement.pk}").json()["findings"]
    [checked] = _post(client, "/api/v1/verifiability", {"text": text}).json()["findings"]
    assert (stored["message"], stored["suggestion"]) == english
    assert (checked["message"], checked["suggestion"]) == english


def test_checker_passes_a_measurable_sentence(vendor):
    text = "検索結果は95パーセンタイルで2秒以内に表示すること"
    data = _post(vendor, "/api/v1/verifiability", {"text": text}).json()
    assert (data["language"], data["verifiable"], data["findings"]) == ("ja", True, [])


def test_checker_finds_vague_english(client, cast):
    _token, clear = core_services.api_token_create(user=cast.users["customer_member"], name="Excel")
    text = "The search page shall load quickly."
    data = _post(client, "/api/v1/verifiability", {"text": text}, **_bearer(clear)).json()
    assert (data["language"], data["verifiable"]) == ("en", False)
    [finding] = [f for f in data["findings"] if text[f["start"] : f["end"]] == "quickly"]
    assert finding["category"] == "unquantified"


def test_long_texts_are_refused(vendor, cast, make_requirement):
    too_long = {("text", "この値は 5000 文字以下でなければなりません( 5001 文字になっています)。")}
    requirement = make_requirement()
    text = "あ" * 5001
    assert _errors(_post(vendor, "/api/v1/verifiability", {"text": text})) == too_long
    assert _post(vendor, "/api/v1/verifiability", {"text": text[:5000]}).status_code == 200
    assert _errors(_post(vendor, f"/api/v1/projects/{cast.own.pk}/requirements", {"text": text})) == too_long
    assert _errors(_patch(vendor, f"/api/v1/requirements/{requirement.pk}", {"text": text})) == too_long


# --- Baselines -----------------------------------------------------------------------------------------


def test_baselines_list(client, cast, make_requirement):
    make_requirement()
    make_requirement("帳票をPDFで出力すること")
    review = services.review_submit(by=cast.users["vendor_pm"], project=cast.own)
    baseline = services.review_approve(by=cast.users["customer_sponsor"], review=review)
    client.force_login(cast.users["customer_member"])
    page = client.get(f"/api/v1/projects/{cast.own.pk}/baselines").json()
    assert page["count"] == 1
    [item] = page["items"]
    assert item["id"] == baseline.pk
    assert item["version"] == 1
    assert item["approved_by"] == "customer_sponsor"
    assert item["content_hash"] == baseline.content_hash
    assert len(item["content_hash"]) == 64
    assert item["requirement_count"] == 2


def test_openapi_lists_the_requirement_routes(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/projects/{project_id}/requirements"]) == {"get", "post"}
    assert set(paths["/api/v1/requirements/{requirement_id}"]) == {"get", "patch"}
    assert "/api/v1/requirements/{requirement_id}/criteria" in paths
    assert "/api/v1/criteria/{criterion_id}" in paths
    assert "/api/v1/verifiability" in paths
    assert "/api/v1/projects/{project_id}/baselines" in paths
