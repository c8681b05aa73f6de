"""The vendor's glossary through the API: the same readers and editors as the glossary pages."""

import pytest

from shinrai.core.models import AuditEvent
from shinrai.progress.models import PlainLanguageTerm
from tests.clock import _english  # noqa: F401  (autouse: messages in English)

URL = "/api/v1/glossary"


def _as(client, cast, role):
    client.force_login(cast.users[role])
    return client


@pytest.fixture
def terms(cast):
    own = PlainLanguageTerm.objects.create(vendor_org=cast.vendor, term="UAT", plain_ja="受入テスト")
    PlainLanguageTerm.objects.create(
        vendor_org=cast.vendor, term="PMO", plain_ja="管理の事務局", plain_en="PMO"
    )
    foreign = PlainLanguageTerm.objects.create(vendor_org=cast.other_vendor, term="SLA", plain_ja="約束")
    return own, foreign


def test_list_shows_only_the_callers_vendor_in_term_order_and_searches(client, cast, terms):
    member = _as(client, cast, "vendor_member")
    body = member.get(URL).json()
    assert [item["term"] for item in body["items"]] == ["PMO", "UAT"]
    assert body["items"][1] == {"id": terms[0].pk, "term": "UAT", "plain_ja": "受入テスト", "plain_en": ""}
    assert [item["term"] for item in member.get(URL, {"q": "事務局"}).json()["items"]] == ["PMO"]


@pytest.mark.parametrize("role", ["customer_sponsor", "partner_viewer", "outsider_customer"])
def test_customers_and_partners_never_see_a_glossary(client, cast, terms, role):
    reader = _as(client, cast, role)
    assert reader.get(URL).status_code == 404
    assert reader.get(f"{URL}/{terms[0].pk}").status_code == 404


def test_another_vendors_term_answers_404_even_to_its_editors_peers(client, cast, terms):
    pm = _as(client, cast, "vendor_pm")
    assert pm.get(f"{URL}/{terms[1].pk}").status_code == 404
    assert (
        pm.patch(f"{URL}/{terms[1].pk}", {"plain_ja": "x"}, content_type="application/json").status_code
        == 404
    )
    assert pm.delete(f"{URL}/{terms[1].pk}").status_code == 404
    assert PlainLanguageTerm.objects.get(pk=terms[1].pk).plain_ja == "約束"


def test_pm_adds_changes_and_deletes_a_term_with_audit_events(client, cast):
    pm = _as(client, cast, "vendor_pm")
    created = pm.post(URL, {"term": " RFP ", "plain_ja": "提案依頼書"}, content_type="application/json")
    assert created.status_code == 201, created.content
    term = PlainLanguageTerm.objects.get(pk=created.json()["id"])
    assert (term.vendor_org, term.term, term.plain_ja, term.plain_en) == (
        cast.vendor,
        "RFP",
        "提案依頼書",
        "",
    )

    changed = pm.patch(
        f"{URL}/{term.pk}", {"plain_en": "Request for proposal"}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "id": term.pk,
        "term": "RFP",
        "plain_ja": "提案依頼書",
        "plain_en": "Request for proposal",
    }

    assert pm.delete(f"{URL}/{term.pk}").status_code == 204
    assert not PlainLanguageTerm.objects.filter(pk=term.pk).exists()
    actions = AuditEvent.objects.filter(object_id=str(term.pk)).values_list("action", flat=True)
    assert sorted(actions) == ["glossary.create", "glossary.delete", "glossary.update"]


@pytest.mark.parametrize("role", ["vendor_member", "vendor_admin"])
def test_vendor_users_who_only_read_get_403_and_nothing_changes(client, cast, terms, role):
    reader = _as(client, cast, role)
    assert reader.get(f"{URL}/{terms[0].pk}").status_code == 200
    assert (
        reader.post(
            URL, {"term": "RFP", "plain_ja": "提案依頼書"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        reader.patch(f"{URL}/{terms[0].pk}", {"plain_ja": "x"}, content_type="application/json").status_code
        == 403
    )
    assert reader.delete(f"{URL}/{terms[0].pk}").status_code == 403
    assert PlainLanguageTerm.objects.filter(vendor_org=cast.vendor).count() == 2
    assert PlainLanguageTerm.objects.get(pk=terms[0].pk).plain_ja == "受入テスト"


def test_a_duplicate_term_ignoring_case_answers_422_with_the_services_message(client, cast, terms):
    manager = _as(client, cast, "vendor_manager")
    response = manager.post(URL, {"term": "uat", "plain_ja": "別の説明"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "term", "message": "uat is in the glossary already. Edit that entry instead."}
    ]
    assert PlainLanguageTerm.objects.filter(vendor_org=cast.vendor).count() == 2


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"term": "", "plain_ja": ""}, ["plain_ja", "term"]),
        ({"term": "x" * 65, "plain_ja": "説明"}, ["term"]),
        ({"term": "RFP"}, ["plain_ja"]),
        ({"term": "RFP", "plain_ja": "説明", "vendor_org": 2}, ["vendor_org"]),
    ],
)
def test_bad_input_answers_422_and_stores_nothing(client, cast, body, fields):
    pm = _as(client, cast, "vendor_pm")
    response = pm.post(URL, body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert sorted(str(error["field"]) for error in response.json()["detail"]) == fields
    assert not PlainLanguageTerm.objects.exists()


def test_an_explicit_null_is_refused_on_patch(client, cast, terms):
    pm = _as(client, cast, "vendor_pm")
    response = pm.patch(f"{URL}/{terms[0].pk}", {"plain_ja": None}, content_type="application/json")
    assert response.status_code == 422
    assert PlainLanguageTerm.objects.get(pk=terms[0].pk).plain_ja == "受入テスト"
