"""The customer's weekly report page shows the Gantt's picture as an image of ``?picture=gantt``: the page
stays small (a big plan's SVG is 1 MB) and the browser keeps the picture, for whoever may read the report."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from shinrai.progress import report_services
from tests.caches import clear_caches

WEEK = date(2026, 11, 16)


@pytest.fixture
def published(cast, clock, make_task):
    clock.set(2026, 11, 20, 17)
    make_task("共有タスク", planned_start=date(2026, 11, 2), duration_days=5, estimate_hours=Decimal(8))
    make_task("社内レビュー", visibility="internal", planned_start=date(2026, 11, 9), duration_days=2)
    pm = cast.users["vendor_pm"]
    report = report_services.report_create_draft(by=pm, project=cast.own, week_start=WEEK)
    return report_services.report_publish(by=pm, report=report)


def _url(cast, report):
    return reverse("reports:portal_detail", args=[cast.own.pk, report.pk])


def _picture_src(html: str) -> str:
    match = re.search(r'<figure class="chart" id="gantt-chart"><img src="(\?[^"]+)" alt="[^"]+"', html)
    assert match, "the Gantt is not an image"
    return match.group(1).replace("&amp;", "&")


def test_the_page_shows_the_picture_as_an_image_and_keeps_the_table(client, cast, published):
    client.force_login(cast.users["customer_sponsor"])
    response = client.get(_url(cast, published))
    html = response.content.decode()
    src = _picture_src(html)
    assert src.startswith("?zoom=month&picture=gantt&v=")
    assert 'loading="lazy"' in html
    assert (
        "共有タスク" in html[html.index('class="chart-table"') :]
    )  # the lines as a table, for screen readers
    assert list(response.context["gantt"].line_names) == ["共有タスク"]
    assert html.count("<svg") == 1  # the burndown only


def test_the_picture_is_the_schedule_pages_and_is_cached_by_its_version(client, cast, published):
    client.force_login(cast.users["customer_sponsor"])
    src = _picture_src(client.get(_url(cast, published)).content.decode())
    picture = client.get(_url(cast, published) + src)
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/svg+xml"
    assert picture["Cache-Control"] == "private, max-age=86400"
    schedule = client.get(reverse("progress:portal_schedule", args=[cast.own.pk]) + "?zoom=month")
    assert picture.content.decode() == schedule.context["gantt"].svg

    again = client.get(_url(cast, published) + src, headers={"if-none-match": picture["ETag"]})
    assert again.status_code == 304 and again.content == b""
    # Without the page's version (an old link), the browser must ask again each time.
    old = client.get(_url(cast, published) + "?picture=gantt&v=0123")
    assert old.status_code == 200 and old["Cache-Control"] == "private, no-cache"
    assert old["ETag"] == picture["ETag"]


def test_the_version_changes_with_the_plan(client, cast, published, make_task):
    client.force_login(cast.users["customer_sponsor"])
    before = _picture_src(client.get(_url(cast, published)).content.decode())
    make_task("追加タスク", planned_start=date(2026, 11, 16), duration_days=3)
    clear_caches()
    after = _picture_src(client.get(_url(cast, published)).content.decode())
    assert before != after
    stale = client.get(_url(cast, published) + before)
    assert stale["Cache-Control"] == "private, no-cache"  # answered with today's picture, not kept


@pytest.mark.parametrize("who", ["partner_viewer", "outsider_customer", "other_vendor_manager"])
def test_the_picture_is_refused_to_those_who_cannot_read_the_report(client, cast, published, who):
    client.force_login(cast.users[who])
    assert client.get(_url(cast, published) + "?picture=gantt").status_code == 404


def test_a_drafts_picture_is_not_shown(client, cast, clock):
    clock.set(2026, 11, 20, 17)
    draft = report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    client.force_login(cast.users["customer_sponsor"])
    assert client.get(_url(cast, draft) + "?picture=gantt").status_code == 404


def test_the_vendors_preview_pictures_the_customers_view(client, cast, published):
    client.force_login(cast.users["vendor_pm"])
    src = _picture_src(client.get(_url(cast, published)).content.decode())
    svg = client.get(_url(cast, published) + src).content.decode()
    client.force_login(cast.users["customer_sponsor"])
    assert svg == client.get(_url(cast, published) + "?picture=gantt").content.decode()
