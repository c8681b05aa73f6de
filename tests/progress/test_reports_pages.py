"""Weekly report pages: the PM writes, checks and publishes; the customer reads, acknowledges and asks."""

import re
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shinrai.progress import report_services
from shinrai.progress.models import ReportComment, WeeklyReport

WEEK = date(2026, 11, 16)


@pytest.fixture
def published(cast, clock):
    clock.set(2026, 11, 20, 17)
    pm = cast.users["vendor_pm"]
    report = report_services.report_create_draft(by=pm, project=cast.own, week_start=WEEK)
    return report_services.report_publish(by=pm, report=report)


def test_pm_writes_checks_and_publishes_a_report(client, cast, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 11, 20, 17)
    client.force_login(cast.users["vendor_pm"])
    response = client.get(reverse("reports:new", args=[cast.own.pk]) + "?week=2026-11-16")
    report = WeeklyReport.objects.get(project=cast.own, week_start=WEEK)
    assert response["Location"] == reverse("reports:edit", args=[cast.own.pk, report.pk])
    # Opening "new" again for the same week goes back to the same draft.
    again = client.get(reverse("reports:new", args=[cast.own.pk]) + "?week=2026-11-16")
    assert again["Location"] == response["Location"]

    edit_url = response["Location"]
    form = {
        "status": "amber",
        "status_reason": "",
        "done": "・結合テストを開始しました",
        "problem": "・特になし",
        "next_action": "・UAT（お客様の受入テスト）の準備",
        "schedule_outlook": "",
        "cost_outlook": "",
    }
    refused = client.post(edit_url, form)
    assert refused.status_code == 200
    assert "status_reason" in refused.context["form"].errors
    saved = client.post(edit_url, form | {"status_reason": "帳票の追加要望で1日遅れ"})
    assert saved.status_code == 302
    page = client.get(edit_url)
    findings = [(label, [f.text for f in items]) for label, items in page.context["findings"]]
    assert [texts for _label, texts in findings] == [["結合テスト"]]
    assert "別々に作った部分をつなげて" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("reports:publish", args=[cast.own.pk, report.pk]))
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.version, report.status) == ("published", 1, "amber")
    assert len(mail.outbox) == 2


def test_the_customer_reads_acknowledges_and_asks(client, cast, published):
    client.force_login(cast.users["customer_sponsor"])
    listing = client.get(reverse("reports:portal_list", args=[cast.own.pk])).content.decode()
    assert reverse("reports:portal_detail", args=[cast.own.pk, published.pk]) in listing
    url = reverse("reports:portal_detail", args=[cast.own.pk, published.pk])
    page = client.get(url).content.decode()
    for heading in ("完了したこと", "課題・リスク", "次のアクション"):
        assert heading in page
    with translation.override(cast.users["customer_sponsor"].language):
        assert f'<span class="rag rag-green">● {translation.gettext("Green: on track")}</span>' in page
    client.post(reverse("reports:portal_acknowledge", args=[cast.own.pk, published.pk]))
    client.post(reverse("reports:portal_acknowledge", args=[cast.own.pk, published.pk]))
    assert published.acknowledgements.count() == 1
    client.post(
        reverse("reports:portal_comment", args=[cast.own.pk, published.pk]), {"body": "来週の予定は?"}
    )
    question = ReportComment.objects.get(report=published)

    client.force_login(cast.users["vendor_member"])
    client.post(
        reverse("reports:portal_comment", args=[cast.own.pk, published.pk]),
        {"body": "API設計を始めます", "parent": question.pk},
    )
    page = client.get(url).content.decode()
    assert "来週の予定は?" in page and "API設計を始めます" in page


def test_a_correction_is_shown_as_such(client, cast, published, clock):
    clock.set(2026, 11, 24, 9)
    v2 = report_services.report_correct(
        by=cast.users["vendor_pm"], report=published, note="完了日の誤記を訂正しました", done="・訂正版"
    )
    client.force_login(cast.users["customer_member"])
    listing = client.get(reverse("reports:portal_list", args=[cast.own.pk]))
    assert [r.pk for r in listing.context["reports"]] == [v2.pk]  # each week once, in its latest version
    page = client.get(reverse("reports:portal_detail", args=[cast.own.pk, v2.pk]))
    assert "完了日の誤記を訂正しました" in page.content.decode()
    assert page.context["report"].is_correction
    old = client.get(reverse("reports:portal_detail", args=[cast.own.pk, published.pk]))
    assert old.context["versions"][0].pk == v2.pk  # "this version was corrected later"


def test_partners_and_drafts_are_not_shown_in_the_portal(client, cast, clock):
    clock.set(2026, 11, 20, 17)
    draft = report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    client.force_login(cast.users["customer_member"])
    assert client.get(reverse("reports:portal_detail", args=[cast.own.pk, draft.pk])).status_code == 404
    client.force_login(cast.users["vendor_pm"])
    assert client.get(reverse("reports:portal_detail", args=[cast.own.pk, draft.pk])).status_code == 404
    client.force_login(cast.users["partner_viewer"])
    assert client.get(reverse("reports:portal_list", args=[cast.own.pk])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_have_a_fixed_query_count(client, cast, clock):
    pm = cast.users["vendor_pm"]
    cast.own.start_date = date(2026, 9, 7)
    cast.own.save(update_fields=["start_date"])

    def write(week):
        clock.set(2026, 11, 20, 17)
        report = report_services.report_create_draft(by=pm, project=cast.own, week_start=week)
        report = report_services.report_publish(by=pm, report=report)
        report_services.report_acknowledge(by=cast.users["customer_member"], report=report)
        report_services.report_correct(by=pm, report=report, note="訂正")

    write(date(2026, 11, 2))
    urls = {
        "vendor_pm": reverse("reports:list", args=[cast.own.pk]),
        "customer_member": reverse("reports:portal_list", args=[cast.own.pk]),
    }
    counts = {}
    for role, url in urls.items():
        client.force_login(cast.users[role])
        counts[role] = _queries(client, url)
    for week in (date(2026, 11, 9), date(2026, 11, 16), date(2026, 10, 5)):
        write(week)
    for role, url in urls.items():
        client.force_login(cast.users[role])
        assert _queries(client, url) == counts[role], role


def test_api_lists_published_reports_for_customers_and_drafts_for_the_vendor(client, cast, published, clock):
    draft = report_services.report_create_draft(
        by=cast.users["vendor_pm"], project=cast.own, week_start=date(2026, 11, 9)
    )
    client.force_login(cast.users["customer_member"])
    items = client.get(f"/api/v1/projects/{cast.own.pk}/reports").json()["items"]
    assert [(i["id"], i["version"], i["state"]) for i in items] == [(published.pk, 1, "published")]
    assert client.get(f"/api/v1/reports/{draft.pk}").status_code == 404
    client.force_login(cast.users["vendor_member"])
    items = client.get(f"/api/v1/projects/{cast.own.pk}/reports").json()["items"]
    assert [i["id"] for i in items] == [published.pk, draft.pk]
    assert client.get(f"/api/v1/reports/{draft.pk}").json()["state"] == "draft"
    client.force_login(cast.users["partner_viewer"])
    assert client.get(f"/api/v1/projects/{cast.own.pk}/reports").status_code == 404
    assert client.get(f"/api/v1/reports/{published.pk}").status_code == 404


def test_the_vendor_list_shows_a_quarter_per_page_newest_first(client, cast, clock):
    clock.set(2026, 11, 20, 17)  # the week of 11-16 is not due yet: 32 weeks from 04-06 to 11-09
    cast.own.start_date = date(2026, 4, 6)
    cast.own.end_date = None
    cast.own.save(update_fields=["start_date", "end_date"])
    client.force_login(cast.users["vendor_pm"])
    url = reverse("reports:list", args=[cast.own.pk])

    def weeks(query=""):
        return re.findall(r'id="week-([0-9-]+)"', client.get(url + query).content.decode())

    first = weeks()
    assert len(first) == 13 and first[0] == "2026-11-09" and first[-1] == "2026-08-17"
    assert 'href="?page=2"' in client.get(url).content.decode()
    second = weeks("?page=2")
    assert len(second) == 13 and second[0] == "2026-08-10" and second[-1] == "2026-05-18"
    assert weeks("?page=3") == [
        "2026-05-11",
        "2026-05-04",
        "2026-04-27",
        "2026-04-20",
        "2026-04-13",
        "2026-04-06",
    ]
    assert weeks("?page=99") == weeks("?page=3")  # out of range: the last page
