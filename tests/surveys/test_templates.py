"""Survey templates: the shipped ones, copying, editing (new version once used), who may do what."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shinrai.core.models import AuditEvent
from shinrai.surveys import services
from shinrai.surveys.defaults import POST_DELIVERY_LINEAGE, PULSE_LINEAGE
from shinrai.surveys.models import Question, Survey, SurveyTemplate

from .distribution_helpers import send, shipped


def _codes(template) -> list[str]:
    return list(template.questions.order_by("position").values_list("code", flat=True))


def _question_list(template) -> list[dict]:
    return [
        {
            "code": q.code,
            "category": q.category,
            "kind": q.kind,
            "facet": q.facet,
            "text_ja": q.text_ja,
            "text_en": q.text_en,
            "required": q.required,
        }
        for q in template.questions.order_by("position")
    ]


def test_shipped_templates_exist_with_the_four_categories(db):
    post = SurveyTemplate.objects.get(lineage=POST_DELIVERY_LINEAGE)
    assert post.vendor_org is None and post.is_current and post.version == 1
    assert _codes(post) == [
        "A1",
        "A2",
        "A3",
        "B1",
        "B2",
        "B3",
        "C1",
        "C2",
        "C3",
        "D1",
        "D2",
        "D3",
        "NPS",
        "COMMENT",
    ]
    for category in "ABCD":
        questions = post.questions.filter(category=category)
        assert questions.count() == 3 and set(questions.values_list("kind", flat=True)) == {"likert"}
        assert set(questions.values_list("facet", flat=True)) == {"logical", "emotional"}, category
    nps = post.questions.get(code="NPS")
    assert (nps.kind, nps.category, nps.required) == ("nps", "NPS", True)
    comment = post.questions.get(code="COMMENT")
    assert (comment.kind, comment.required) == ("text", False)
    assert all(q.text_ja and q.text_en for q in post.questions.all())
    pulse = SurveyTemplate.objects.get(lineage=PULSE_LINEAGE)
    assert pulse.questions.count() == 5 and {"NPS", "COMMENT"} <= set(_codes(pulse))


def test_list_shows_shipped_and_own_current_versions_only(cast, client):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped(), name="自社版")
    services.template_copy(by=cast.users["other_vendor_manager"], template=shipped(), name="他社版")
    client.force_login(cast.users["vendor_member"])
    response = client.get(reverse("surveys:templates"))
    assert response.status_code == 200
    names = [t.name for t in response.context["templates"]]
    assert set(names[:2]) == {shipped("post_delivery").name, shipped("pulse").name}  # shipped first
    assert names[2:] == ["自社版"]
    detail = client.get(reverse("surveys:template_detail", args=[own.pk]))
    assert detail.status_code == 200
    assert reverse("surveys:template_copy", args=[own.pk]) not in detail.content.decode()  # member: no copy


def test_detail_groups_questions_and_offers_copy_not_edit_for_shipped(cast, client):
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("surveys:template_detail", args=[shipped("post_delivery").pk])).content.decode()
    assert html.index('id="category-A"') < html.index('id="category-D"') < html.index('id="category-NPS"')
    assert "cannot be changed" in html
    assert reverse("surveys:template_copy", args=[shipped("post_delivery").pk]) in html
    assert reverse("surveys:template_edit", args=[shipped("post_delivery").pk]) not in html


def test_copy_makes_a_vendor_owned_version_1(cast, client):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(reverse("surveys:template_copy", args=[shipped().pk]), {"name": ""})
    copy = SurveyTemplate.objects.get(vendor_org=cast.vendor)
    assert response["Location"] == reverse("surveys:template_edit", args=[copy.pk])
    assert copy.version == 1 and copy.is_current and copy.lineage != shipped().lineage
    assert copy.name == f"Copy of {shipped().name}"
    assert _question_list(copy) == _question_list(shipped())
    assert copy.created_by == cast.users["vendor_pm"]
    assert AuditEvent.objects.filter(action="survey_template.copy", object_id=str(copy.pk)).exists()


def test_editing_an_unused_template_changes_it_in_place(cast):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    questions = _question_list(own)
    questions[0]["text_ja"] = "変更後の質問"
    questions.reverse()
    result = services.template_update(
        by=cast.users["vendor_pm"], template=own, name="新しい名前", description="説明", questions=questions
    )
    assert result.pk == own.pk and result.version == 1
    assert _codes(result) == ["COMMENT", "NPS", "C1", "B2", "B1"]
    assert result.questions.get(code="B1").text_ja == "変更後の質問"
    assert SurveyTemplate.objects.filter(lineage=own.lineage).count() == 1


def test_editing_a_used_template_makes_the_next_version_and_leaves_the_old_one(
    cast, clock, django_capture_on_commit_callbacks
):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    survey, _tokens = send(cast, django_capture_on_commit_callbacks, template=own)
    before = _question_list(own)
    questions = [q for q in before if q["code"] != "C1"]
    questions.insert(
        0, {"code": "A9", "category": "A", "kind": "likert", "facet": "logical", "text_ja": "新問"}
    )
    result = services.template_update(
        by=cast.users["vendor_manager"], template=own, name=own.name, questions=questions
    )
    own.refresh_from_db()
    assert result.pk != own.pk
    assert (result.lineage, result.version, result.is_current) == (own.lineage, 2, True)
    assert own.is_current is False
    assert _question_list(own) == before  # the old version keeps its questions
    assert _codes(result) == ["A9", "B1", "B2", "NPS", "COMMENT"]
    assert Survey.objects.get(pk=survey.pk).template_id == own.pk
    assert AuditEvent.objects.filter(action="survey_template.new_version", object_id=str(result.pk)).exists()
    # The old version can no longer be changed; the new one, unused, changes in place.
    with pytest.raises(ValidationError, match="current version"):
        services.template_update(by=cast.users["vendor_pm"], template=own, name="x", questions=questions)
    again = services.template_update(
        by=cast.users["vendor_pm"], template=result, name="v2b", questions=questions
    )
    assert again.pk == result.pk and again.version == 2


def test_shipped_templates_cannot_be_edited(cast, client):
    with pytest.raises(ValidationError, match="make a copy"):
        services.template_update(
            by=cast.users["vendor_manager"], template=shipped(), name="x", questions=_question_list(shipped())
        )
    client.force_login(cast.users["vendor_manager"])
    response = client.get(reverse("surveys:template_edit", args=[shipped().pk]), follow=True)
    assert "cannot be changed" in response.content.decode()
    assert Question.objects.filter(template=shipped()).count() == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "B2"}, "used twice"),
        ({"code": "1x"}, "the code must be"),
        ({"facet": ""}, "logical"),
        ({"category": "NPS"}, "category A, B, C or D"),
        ({"text_ja": "", "text_en": ""}, "write the question"),
        ({"kind": "stars"}, "answer type"),
    ],
)
def test_bad_questions_are_refused_and_nothing_changes(cast, change, message):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    questions = _question_list(own)
    questions[0] |= change
    with pytest.raises(ValidationError, match=message):
        services.template_update(by=cast.users["vendor_pm"], template=own, name="x", questions=questions)
    assert _question_list(SurveyTemplate.objects.get(pk=own.pk)) == _question_list(shipped())


def test_only_one_nps_question_and_at_least_one_question(cast):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    nps = {"code": "NPS2", "category": "NPS", "kind": "nps", "text_ja": "もう一度"}
    with pytest.raises(ValidationError, match="only one 0–10"):
        services.template_update(
            by=cast.users["vendor_pm"], template=own, name="x", questions=[*_question_list(own), nps]
        )
    with pytest.raises(ValidationError, match="at least one question"):
        services.template_update(by=cast.users["vendor_pm"], template=own, name="x", questions=[])


def _formset_post(template, rows: list[dict], name="編集後") -> dict:
    data = {
        "name": name,
        "description": "",
        "q-TOTAL_FORMS": str(len(rows)),
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"q-{index}-{key}"] = value
    return data


def _row(q: dict, order: int, **change) -> dict:
    row = {
        "ORDER": str(order),
        "code": q["code"],
        "category": q["category"],
        "kind": q["kind"],
        "facet": q["facet"],
        "text_ja": q["text_ja"],
        "text_en": q["text_en"],
        "required": "yes" if q["required"] else "no",
    }
    row.update(change)
    return row


def test_edit_page_adds_changes_removes_and_reorders(cast, client):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    client.force_login(cast.users["vendor_pm"])
    url = reverse("surveys:template_edit", args=[own.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="q-0-code" value="B1"' in page.content.decode()
    q = _question_list(own)  # B1, B2, C1, NPS, COMMENT
    rows = [
        _row(q[0], 3, text_ja="言い換えた質問"),
        _row(q[1], 1),
        _row(q[2], 2, DELETE="on"),
        _row(q[3], 4),
        _row(q[4], 5, required="yes"),
        {"ORDER": "", "code": "", "category": "", "kind": "", "facet": "", "text_ja": "", "required": "yes"},
        {
            "ORDER": "",
            "code": "d1",
            "category": "D",
            "kind": "likert",
            "facet": "emotional",
            "text_ja": "契約は明快",
            "required": "no",
        },
    ]
    response = client.post(url, _formset_post(own, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    own.refresh_from_db()
    assert own.name == "編集後" and own.version == 1
    assert _codes(own) == ["B2", "B1", "NPS", "COMMENT", "D1"]
    assert own.questions.get(code="B1").text_ja == "言い換えた質問"
    assert own.questions.get(code="COMMENT").required is True
    assert own.questions.get(code="D1").required is False


def test_edit_page_shows_errors_and_keeps_the_input(cast, client):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    client.force_login(cast.users["vendor_pm"])
    q = _question_list(own)
    rows = [_row(q[0], 1), _row(q[1], 2, code="B1", text_ja="重複した質問")]
    response = client.post(reverse("surveys:template_edit", args=[own.pk]), _formset_post(own, rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "the code B1 is used twice" in html and "重複した質問" in html
    assert _codes(SurveyTemplate.objects.get(pk=own.pk)) == _codes(shipped())


def test_edit_page_warns_that_a_used_template_gets_a_new_version(
    cast, client, clock, django_capture_on_commit_callbacks
):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    send(cast, django_capture_on_commit_callbacks, template=own)
    client.force_login(cast.users["vendor_pm"])
    url = reverse("surveys:template_edit", args=[own.pk])
    assert "Saving creates version 2" in client.get(url).content.decode()
    q = _question_list(own)
    response = client.post(
        url, _formset_post(own, [_row(item, n) for n, item in enumerate(q, 1)]), follow=True
    )
    assert "Saved as version 2." in response.content.decode()
    assert SurveyTemplate.objects.filter(lineage=own.lineage).count() == 2
    assert 'aria-current="true"' in response.content.decode()


@pytest.mark.parametrize("role", ["vendor_member", "vendor_admin"])
def test_vendor_users_without_a_pm_role_read_but_do_not_change(cast, client, role):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    client.force_login(cast.users[role])
    assert client.get(reverse("surveys:template_detail", args=[own.pk])).status_code == 200
    assert client.post(reverse("surveys:template_copy", args=[own.pk])).status_code == 403
    assert client.get(reverse("surveys:template_edit", args=[own.pk])).status_code == 403


@pytest.mark.parametrize("role", ["customer_sponsor", "partner_viewer", "other_vendor_manager"])
def test_others_do_not_see_the_vendors_templates(cast, client, role):
    own = services.template_copy(by=cast.users["vendor_pm"], template=shipped())
    client.force_login(cast.users[role])
    for url in (
        reverse("surveys:template_detail", args=[own.pk]),
        reverse("surveys:template_edit", args=[own.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("surveys:template_copy", args=[own.pk])).status_code == 404
    expected = 200 if role == "other_vendor_manager" else 404
    assert client.get(reverse("surveys:templates")).status_code == expected
