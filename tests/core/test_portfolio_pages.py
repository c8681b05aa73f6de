"""The portfolio a page at a time (a vendor manager may see a thousand projects), with the whole portfolio's
figures on every page and a filter for the projects whose last week's report is late or missing.

"Now" is Tue 24 Nov 2026 10:00 JST: last week is the week of 16 Nov, due Mon 23 Nov 12:00 JST.
"""

import re
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinrai.core import selectors
from shinrai.core.models import Organization
from shinrai.progress.models import WeeklyReport
from tests.clock import _english  # noqa: F401  (autouse: labels in English)

from ..clock import TOKYO, Clock
from ..factories import OrganizationFactory, ProjectFactory, UserFactory

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)
LAST_WEEK = date(2026, 11, 16)
ON_TIME = datetime(2026, 11, 20, 9, 0, tzinfo=TOKYO)
LATE = datetime(2026, 11, 23, 15, 0, tzinfo=TOKYO)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(monkeypatch)
    clock.at = NOW
    return clock


@pytest.fixture(autouse=True)
def page_size(monkeypatch):
    monkeypatch.setattr(selectors, "PORTFOLIO_PAGE_SIZE", 3)
    return 3


def _add(vendor, code: str, published: datetime | None):
    project = ProjectFactory(vendor_org=vendor, code=code, start_date=date(2026, 9, 1))
    if published is not None:
        WeeklyReport.objects.create(
            project=project,
            week_start=LAST_WEEK,
            state="published",
            version=1,
            status="green",
            published_at=published,
        )
    return project


@pytest.fixture
def manager(clock):
    """Seven projects: P-01, P-03 and P-05 have no report of last week, P-06 published it late."""
    vendor = OrganizationFactory(kind=Organization.Kind.VENDOR)
    for n, published in enumerate((ON_TIME, None, ON_TIME, None, ON_TIME, None, LATE)):
        _add(vendor, f"P-{n:02d}", published)
    return UserFactory(organization=vendor, is_vendor_manager=True, language="en")


def _get(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("core:portfolio") + query)
    assert response.status_code == 200
    return response


def _codes(response) -> list[str]:
    return [row.project.code for row in response.context["rows"]]


def test_pages_list_the_projects_in_code_order_with_the_whole_portfolios_figures(client, manager):
    pages = [_get(client, manager, f"?page={n}") for n in (1, 2, 3)]
    assert [_codes(page) for page in pages] == [["P-00", "P-01", "P-02"], ["P-03", "P-04", "P-05"], ["P-06"]]
    for page in pages:
        html = page.content.decode()
        assert "7 projects you can see." in html
        assert "4 reports of last week are late or missing." in html
        assert page.context["overdue"] == 4


def test_the_pager_links_the_pages(client, manager):
    html = _get(client, manager, "?page=2").content.decode()
    pager = html[html.index('<nav class="toolbar" aria-label="Pages">') :].split("</nav>")[0]
    assert '<a class="button" rel="prev" href="?page=1">Previous</a>' in pager
    assert '<a class="button" rel="next" href="?page=3">Next</a>' in pager
    assert '<a class="button button-current" aria-current="page" href="?page=2">2</a>' in pager
    assert re.findall(r'href="\?page=(\d)">\d<', pager) == ["1", "2", "3"]
    assert "Page 2 of 3" in pager
    first = _get(client, manager).content.decode()
    assert 'rel="prev"' not in first and 'rel="next" href="?page=2"' in first


def test_many_pages_are_elided_around_the_current_one(client, manager, monkeypatch):
    monkeypatch.setattr(selectors, "PORTFOLIO_PAGE_SIZE", 1)
    for n in range(7, 12):
        _add(manager.organization, f"P-{n:02d}", ON_TIME)
    html = _get(client, manager, "?page=2").content.decode()
    pager = html[html.index('<nav class="toolbar" aria-label="Pages">') :].split("</nav>")[0]
    assert re.findall(r'href="\?page=(\d+)">\d+<', pager) == ["1", "2", "3", "4", "5", "11", "12"]
    assert pager.count('<span aria-hidden="true">…</span>') == 1
    assert "Page 2 of 12" in pager


def test_a_page_past_the_end_shows_the_last_and_a_bad_one_the_first(client, manager):
    assert _codes(_get(client, manager, "?page=99")) == ["P-06"]
    assert _codes(_get(client, manager, "?page=abc")) == ["P-00", "P-01", "P-02"]


def test_attention_lists_only_late_or_missing_reports_and_keeps_the_filter_in_the_pager(client, manager):
    first = _get(client, manager, "?attention=1")
    assert _codes(first) == ["P-01", "P-03", "P-05"]
    html = first.content.decode()
    assert 'rel="next" href="?attention=1&amp;page=2"' in html
    assert f'<a href="{reverse("core:portfolio")}">Show all</a>' in html and "Show only these" not in html
    assert "7 projects you can see." in html  # the whole portfolio's figures stay
    assert _codes(_get(client, manager, "?attention=1&page=2")) == ["P-06"]
    everything = _get(client, manager).content.decode()
    assert '<a href="?attention=1">Show only these</a>' in everything


def test_attention_with_nothing_late_says_so(client, clock):
    vendor = OrganizationFactory(kind=Organization.Kind.VENDOR)
    _add(vendor, "OK-1", ON_TIME)
    manager = UserFactory(organization=vendor, is_vendor_manager=True, language="en")
    response = _get(client, manager, "?attention=1")
    assert _codes(response) == []
    assert "No report of last week is late or missing." in response.content.decode()
    assert "Show only these" not in _get(client, manager).content.decode()  # nothing to filter


def test_the_overdue_count_agrees_with_the_full_rows(manager):
    page = selectors.portfolio_page(user=manager, now=NOW)
    rows = selectors.portfolio_rows(user=manager, now=NOW)
    assert page.total == len(rows) == 7
    assert page.overdue == sum(row.last_week_state in ("late", "missing") for row in rows) == 4
    assert {row.project.code: row.last_week_state for row in rows} == {
        "P-00": "on_time",
        "P-01": "missing",
        "P-02": "on_time",
        "P-03": "missing",
        "P-04": "on_time",
        "P-05": "missing",
        "P-06": "late",
    }
    assert page.last_week == LAST_WEEK


def test_query_count_does_not_grow_with_the_projects(client, manager):
    def count(query=""):
        client.force_login(manager)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("core:portfolio") + query).status_code == 200
        return len(ctx.captured_queries)

    # session, user, the light pass over every project, the page's projects, their recent reports
    assert count() == count("?page=3") == count("?attention=1") == 5
    for n in range(7, 20):
        _add(manager.organization, f"P-{n:02d}", None if n % 2 else ON_TIME)
    assert count() == count("?page=7") == count("?attention=1&page=2") == 5


def test_a_vendor_member_pages_only_their_projects(client, cast, clock):
    html = _get(client, cast.users["vendor_member"]).content.decode()
    assert "1 project you can see." in html and "OWN-1" in html and "OTHER-1" not in html
    assert 'aria-label="Pages"' not in html  # one page: no pager


def test_without_a_start_date_the_creation_counts_as_the_start(client, manager):
    from shinrai.core.models import Project

    old = ProjectFactory(vendor_org=manager.organization, code="Q-OLD", start_date=None)
    new = ProjectFactory(vendor_org=manager.organization, code="Q-NEW", start_date=None)
    Project.objects.filter(pk=old.pk).update(created_at=datetime(2026, 10, 1, 9, tzinfo=TOKYO))
    # Created on the Sunday of last week (Japan time; Saturday 15:00 UTC): last week is in its period.
    Project.objects.filter(pk=new.pk).update(created_at=datetime(2026, 11, 22, 0, 30, tzinfo=TOKYO))
    page = selectors.portfolio_page(user=manager, now=NOW, attention=True)
    rows = {row.project.code: row for row in selectors.portfolio_rows(user=manager, now=NOW)}
    assert (rows["Q-OLD"].last_week_state, rows["Q-NEW"].last_week_state) == ("missing", "missing")
    assert page.overdue == 6 and {old.pk, new.pk} <= set(page.page.paginator.object_list)
    Project.objects.filter(pk=new.pk).update(created_at=datetime(2026, 11, 23, 0, 30, tzinfo=TOKYO))  # Monday
    rows = {row.project.code: row for row in selectors.portfolio_rows(user=manager, now=NOW)}
    assert rows["Q-NEW"].last_week_state == ""
    assert selectors.portfolio_page(user=manager, now=NOW).overdue == 5
