"""A trouble's lifecycle through the API: the same actions, roles and refusals as the trouble pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinrai.ledger.models import Entry
from shinrai.troubles import services
from shinrai.troubles.models import Decision, FollowUp, InternalNote, Option, Prevention, Trouble

from .conftest import at, disclose, make_trouble, proposed

pytestmark = pytest.mark.django_db


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def _decided(cast, trouble):
    options = proposed(cast, trouble, options=2)
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=trouble, option=options[0], rationale="早い", version=None
    )
    trouble.refresh_from_db()
    return options


def _in_follow_up(cast, trouble, *, done=True):
    _decided(cast, trouble)
    item = services.followup_add(by=cast.users["vendor_pm"], trouble=trouble, action="監視を追加")
    if done:
        services.followup_done(by=cast.users["vendor_pm"], follow_up=item)
    trouble.refresh_from_db()
    return item


def test_the_whole_lifecycle_through_the_api(client, cast, clock):
    pm, sponsor = cast.users["vendor_pm"], cast.users["customer_sponsor"]
    trouble = make_trouble(cast)
    base = f"/api/v1/troubles/{trouble.pk}"
    client.force_login(pm)

    shown = _post(client, f"{base}/disclose", {"version": 1, "visibility": "customer"})
    assert shown.status_code == 200, shown.content
    assert shown.json()["disclosed_at"] is not None and shown.json()["visibility"] == "customer"
    assert shown["ETag"]
    assert _post(client, f"{base}/analyse", {"version": 2}).json()["status"] == "analysing"
    first = _post(client, f"{base}/options", {"description": "手動で再実行する", "cost": 0, "time_days": 1})
    assert first.status_code == 201 and first.json()["label"] == "A"
    second = _post(client, f"{base}/options", {"description": "バッチを改修する", "cost": 800_000})
    assert second.json()["label"] == "B" and second.json()["cost"] == 800_000
    assert _post(client, f"{base}/propose", {"version": 3}).json()["status"] == "options_proposed"

    client.force_login(sponsor)
    chosen = _post(
        client,
        f"{base}/choice",
        {"version": 4, "option_id": second.json()["id"], "rationale": "再発させない"},
    )
    assert chosen.status_code == 200, chosen.content
    decision = chosen.json()["decision"]
    assert (decision["option_id"], decision["how"], decision["decided_by"]) == (
        second.json()["id"],
        "portal",
        sponsor.display_name,
    )
    assert Entry.objects.filter(project=cast.own, kind="decision").count() == 1

    client.force_login(pm)
    follow_up = _post(
        client,
        f"{base}/follow-ups",
        {"action": "監視を追加する", "owner_id": cast.users["vendor_member"].pk, "due": "2026-11-30"},
    )
    assert follow_up.status_code == 201, follow_up.content
    assert follow_up.json()["owner_name"] == cast.users["vendor_member"].display_name
    done = _post(client, f"{base}/follow-ups/{follow_up.json()['id']}/done")
    assert done.status_code == 200 and done.json()["done_at"] is not None
    closed = _post(
        client,
        f"{base}/close",
        {
            "version": 6,
            "whys": ["ジョブが停止した", "ディスクが満杯だった"],
            "root_cause": "容量監視がなかった",
            "what_worked": "早い連絡",
            "preventions": [{"measure": "容量監視を追加", "owner_id": pm.pk, "due": "2026-12-15"}],
        },
    )
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "closed" and body["closed_at"] is not None
    assert body["root_cause"]["whys"] == ["ジョブが停止した", "ディスクが満杯だった"]
    assert body["root_cause"]["summary"] == "容量監視がなかった"
    assert [(p["measure"], p["owner_name"], p["due"]) for p in body["preventions"]] == [
        ("容量監視を追加", pm.display_name, "2026-12-15")
    ]
    prevention = body["preventions"][0]["id"]
    marked = _post(client, f"{base}/preventions/{prevention}/done")
    assert marked.status_code == 200 and marked.json()["done_at"] is not None

    # The customer reads the same post-mortem; the follow-up without the vendor person's name (as the portal).
    client.force_login(cast.users["customer_member"])
    read = client.get(base).json()
    assert read["root_cause"]["what_worked"] == "早い連絡"
    assert read["preventions"][0]["done_at"] is not None
    assert [(f["action"], f["owner_name"], f["due"]) for f in read["follow_ups"]] == [
        ("監視を追加する", None, "2026-11-30")
    ]


def test_a_meeting_decision_is_recorded_by_a_pm_with_who_and_when(client, cast, clock):
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    client.force_login(cast.users["vendor_pm"])
    data = {
        "version": trouble.version,
        "option_id": options[2].pk,
        "rationale": "費用が少ない",
        "decided_by_name": "顧客 部長",
        "attendees": "顧客 部長, 当社 PM",
        "meeting_at": "2026-11-22T15:00:00+09:00",
    }
    response = _post(client, f"/api/v1/troubles/{trouble.pk}/decision", data)
    assert response.status_code == 200, response.content
    decision = response.json()["decision"]
    assert (decision["how"], decision["decided_by"], decision["attendees"]) == (
        "meeting",
        "顧客 部長",
        "顧客 部長, 当社 PM",
    )
    assert decision["meeting_at"] == "2026-11-22T06:00:00Z"


def test_only_the_customer_sponsor_chooses_and_only_vendor_managers_and_pms_record_meetings(client, cast):
    trouble = make_trouble(cast)
    options = proposed(cast, trouble)
    choice = {"version": trouble.version, "option_id": options[0].pk, "rationale": "x"}
    meeting = choice | {"decided_by_name": "部長", "meeting_at": "2026-01-05T10:00:00+09:00"}
    for role in ("vendor_manager", "vendor_pm", "vendor_member", "customer_member"):
        client.force_login(cast.users[role])
        assert _post(client, f"/api/v1/troubles/{trouble.pk}/choice", choice).status_code == 403, role
    for role in ("vendor_member", "customer_sponsor", "customer_member"):
        client.force_login(cast.users[role])
        assert _post(client, f"/api/v1/troubles/{trouble.pk}/decision", meeting).status_code == 403, role
    client.force_login(cast.users["partner_viewer"])  # shared with the customer only: not there at all
    assert _post(client, f"/api/v1/troubles/{trouble.pk}/choice", choice).status_code == 404
    assert not Decision.objects.exists()
    assert Trouble.objects.get(pk=trouble.pk).status == "options_proposed"


def test_vendor_members_work_on_a_trouble_but_do_not_disclose_propose_or_close(client, cast):
    trouble = make_trouble(cast)
    client.force_login(cast.users["vendor_member"])
    base = f"/api/v1/troubles/{trouble.pk}"
    assert _post(client, f"{base}/disclose", {"version": 1}).status_code == 403
    assert _post(client, f"{base}/analyse", {"version": 1}).status_code == 200
    assert _post(client, f"{base}/options", {"description": "再実行"}).status_code == 201
    assert _post(client, f"{base}/propose", {"version": 2}).status_code == 403
    close = {"version": 2, "root_cause": "x", "preventions": [{"measure": "y"}]}
    assert _post(client, f"{base}/close", close).status_code == 403
    trouble.refresh_from_db()
    assert (trouble.status, trouble.disclosed_at) == ("analysing", None)


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member"])
def test_customers_see_a_disclosed_trouble_but_change_nothing(client, cast, role):
    trouble = make_trouble(cast)
    item = _in_follow_up(cast, trouble, done=False)
    prevention = Prevention.objects.create(trouble=trouble, measure="手順書整備")
    client.force_login(cast.users[role])
    base = f"/api/v1/troubles/{trouble.pk}"
    assert _post(client, f"{base}/options", {"description": "x"}).status_code == 403
    assert _post(client, f"{base}/follow-ups", {"action": "x"}).status_code == 403
    assert _post(client, f"{base}/follow-ups/{item.pk}/done").status_code == 403
    assert _post(client, f"{base}/preventions/{prevention.pk}/done").status_code == 403
    assert _post(client, f"{base}/disclose", {"version": trouble.version}).status_code == 403
    assert FollowUp.objects.get().done_at is None and Prevention.objects.get().done_at is None
    assert Option.objects.count() == 2


def test_an_undisclosed_trouble_is_not_there_for_the_customer(client, cast):
    trouble = make_trouble(cast)
    client.force_login(cast.users["customer_sponsor"])
    for action, data in (("analyse", {"version": 1}), ("options", {"description": "x"})):
        assert _post(client, f"/api/v1/troubles/{trouble.pk}/{action}", data).status_code == 404


def test_a_stale_version_answers_409_and_changes_nothing(client, cast):
    trouble = make_trouble(cast)
    client.force_login(cast.users["vendor_pm"])
    response = _post(client, f"/api/v1/troubles/{trouble.pk}/disclose", {"version": 7})
    assert response.status_code == 409
    assert "Someone else changed" in response.json()["detail"]
    assert Trouble.objects.get(pk=trouble.pk).disclosed_at is None


def test_actions_the_state_does_not_allow_answer_422_with_the_reason(client, cast):
    trouble = make_trouble(cast)
    client.force_login(cast.users["vendor_pm"])
    base = f"/api/v1/troubles/{trouble.pk}"
    no_option = _post(client, f"{base}/propose", {"version": 1})
    assert no_option.status_code == 422
    assert no_option.json()["detail"][0]["message"] == (
        "Disclose the trouble to the customer before proposing options."
    )
    item = _in_follow_up(cast, trouble, done=False)
    late = _post(client, f"{base}/options", {"description": "もう一案"})
    assert late.json()["detail"][0]["message"] == "Options can only be added before a decision is made."
    close = {"version": trouble.version, "root_cause": "原因", "preventions": [{"measure": "対策"}]}
    unfinished = _post(client, f"{base}/close", close)
    assert unfinished.status_code == 422
    assert unfinished.json()["detail"][0]["message"] == "Finish every follow-up action before closing."
    services.followup_done(by=cast.users["vendor_pm"], follow_up=item)
    assert _post(client, f"{base}/close", close).status_code == 200
    again = _post(client, f"{base}/close", close | {"version": trouble.version + 1})
    assert again.json()["detail"][0]["message"] == "Only a trouble in follow-up can be closed."
    assert Prevention.objects.count() == 1


def test_bad_input_answers_422_and_stores_nothing(client, cast, clock):
    trouble = make_trouble(cast)
    other = make_trouble(cast, title="別件")
    other_option = services.option_add(by=cast.users["vendor_pm"], trouble=other, description="別の案")
    client.force_login(cast.users["vendor_pm"])
    base = f"/api/v1/troubles/{trouble.pk}"
    assert _post(client, f"{base}/options", {"description": "x", "cost": -1}).status_code == 422
    assert _post(client, f"{base}/options", {"description": "  "}).status_code == 422
    assert _post(client, f"{base}/options", {"description": "x", "colour": "red"}).status_code == 422
    assert _post(client, f"{base}/disclose", {"version": 1, "visibility": "internal"}).status_code == 422
    assert _post(client, f"{base}/disclose", {"version": 2**63}).status_code == 422
    proposed(cast, trouble)
    choice = {"version": trouble.version, "option_id": other_option.pk, "rationale": "x"}
    client.force_login(cast.users["customer_sponsor"])
    wrong = _post(client, f"{base}/choice", choice)
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == [
        {"field": "option_id", "message": "Choose one of the options of this trouble."}
    ]
    client.force_login(cast.users["vendor_pm"])
    future = _post(
        client,
        f"{base}/decision",
        choice
        | {
            "option_id": trouble.options.first().pk,
            "decided_by_name": "部長",
            "meeting_at": "2026-11-24T10:00:00+09:00",
        },
    )
    assert future.json()["detail"] == [
        {"field": "meeting_at", "message": "The meeting cannot be in the future."}
    ]
    assert not Decision.objects.exists()
    services.trouble_decide(
        by=cast.users["customer_sponsor"],
        trouble=trouble,
        option=trouble.options.first(),
        rationale="x",
        version=None,
    )
    outsider = _post(
        client, f"{base}/follow-ups", {"action": "x", "owner_id": cast.users["customer_member"].pk}
    )
    assert outsider.json()["detail"] == [
        {"field": "owner_id", "message": "Choose a person of the vendor as the owner."}
    ]
    assert _post(client, f"{base}/follow-ups", {"action": "x" * 301}).status_code == 422
    assert not FollowUp.objects.exists()
    assert Trouble.objects.get(pk=trouble.pk).status == "decided"


def test_closing_refuses_no_prevention_and_a_customer_as_owner(client, cast):
    trouble = make_trouble(cast)
    _in_follow_up(cast, trouble)
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/troubles/{trouble.pk}/close"
    data = {"version": trouble.version, "root_cause": "原因"}
    assert _post(client, url, data | {"preventions": []}).status_code == 422
    bad_owner = _post(
        client,
        url,
        data | {"preventions": [{"measure": "対策", "owner_id": cast.users["customer_sponsor"].pk}]},
    )
    assert bad_owner.json()["detail"] == [
        {"field": "preventions.0.owner_id", "message": "Choose a person of the vendor as the owner."}
    ]
    assert Trouble.objects.get(pk=trouble.pk).status == "follow_up"
    assert not Prevention.objects.exists()


def test_a_follow_up_or_prevention_of_another_trouble_is_not_found(client, cast):
    trouble, other = make_trouble(cast), make_trouble(cast, title="別件")
    item = FollowUp.objects.create(trouble=other, action="x")
    prevention = Prevention.objects.create(trouble=other, measure="y")
    client.force_login(cast.users["vendor_pm"])
    base = f"/api/v1/troubles/{trouble.pk}"
    assert _post(client, f"{base}/follow-ups/{item.pk}/done").status_code == 404
    assert _post(client, f"{base}/preventions/{prevention.pk}/done").status_code == 404
    assert FollowUp.objects.get().done_at is None and Prevention.objects.get().done_at is None


# --- Internal notes --------------------------------------------------------------------------------------


def test_vendor_roles_read_and_add_internal_notes(client, cast):
    trouble = make_trouble(cast)
    services.note_add(by=cast.users["vendor_pm"], trouble=trouble, body="見積の前提に誤り")
    client.force_login(cast.users["vendor_member"])
    url = f"/api/v1/troubles/{trouble.pk}/notes"
    added = _post(client, url, {"body": "  顧客へは明日説明  "})
    assert added.status_code == 201
    assert added.json()["body"] == "顧客へは明日説明"
    assert added.json()["author_name"] == cast.users["vendor_member"].display_name
    listed = client.get(url).json()
    assert [n["body"] for n in listed["items"]] == ["見積の前提に誤り", "顧客へは明日説明"]
    assert _post(client, url, {"body": " "}).status_code == 422
    assert InternalNote.objects.count() == 2


@pytest.mark.parametrize("role", ["customer_sponsor", "customer_member", "partner_viewer"])
def test_customers_and_partners_never_reach_internal_notes(client, cast, role):
    trouble = make_trouble(cast)
    disclose(cast, trouble, visibility="partners")
    services.note_add(by=cast.users["vendor_pm"], trouble=trouble, body="社内メモ：見積ミス")
    client.force_login(cast.users[role])
    url = f"/api/v1/troubles/{trouble.pk}/notes"
    assert client.get(f"/api/v1/troubles/{trouble.pk}").status_code == 200  # they see the trouble …
    assert client.get(url).status_code == 404  # … but not that it has notes
    assert _post(client, url, {"body": "x"}).status_code == 404
    for read in (f"/api/v1/troubles/{trouble.pk}", f"/api/v1/projects/{cast.own.pk}/troubles"):
        assert "社内メモ" not in client.get(read).content.decode()
    assert InternalNote.objects.count() == 1


def test_follow_ups_read_in_due_date_order_as_on_the_page(client, cast, clock):
    trouble = make_trouble(cast)
    _decided(cast, trouble)
    pm = cast.users["vendor_pm"]
    services.followup_add(by=pm, trouble=trouble, action="後で", due=at(2026, 12, 10, 0, 0).date())
    services.followup_add(by=pm, trouble=trouble, action="先に", due=at(2026, 11, 30, 0, 0).date())
    client.force_login(pm)
    body = client.get(f"/api/v1/troubles/{trouble.pk}").json()
    assert [f["action"] for f in body["follow_ups"]] == ["先に", "後で"]
    assert body["status"] == "follow_up"


def test_the_list_reads_in_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.users["vendor_pm"])
    url = f"/api/v1/projects/{cast.own.pk}/troubles"
    trouble = make_trouble(cast)
    _in_follow_up(cast, trouble)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for title in ("二件目", "三件目"):
        more = make_trouble(cast, title=title)
        _in_follow_up(cast, more)
        Prevention.objects.create(trouble=more, measure="対策")
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(url).json()
    assert body["count"] == 3 and all(len(item["follow_ups"]) == 1 for item in body["items"])
