"""The WBS table's rows, built in Python for speed (shinrai.progress.wbs_table): the cells the template
showed, every text escaped, dates as Django formats them in each language."""

from datetime import date
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from shinrai.core.templatetags.humanize_jp import date_or_dash
from shinrai.progress import selectors, wbs_table
from shinrai.requirements import services as requirement_services
from tests.clock import _english  # noqa: F401  (autouse: labels in English)

from ..factories import MilestoneFactory, TaskFactory


def _row(html: str, task) -> str:
    start = html.index(f'<tr id="task-{task.pk}"')
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def tree(cast):
    """A summary task with a leaf below it: vendor-only, with a milestone, a requirement and an owner."""
    owner = cast.users["vendor_member"]
    milestone = MilestoneFactory(project=cast.own, name="要件定義完了")
    parent = TaskFactory(project=cast.own, name="要件定義", owner=owner)
    leaf = TaskFactory(
        project=cast.own,
        parent=parent,
        name="業務ヒアリング",
        owner=owner,
        milestone=milestone,
        visibility="internal",
        planned_start=date(2026, 5, 1),
        planned_finish=date(2026, 5, 8),
        estimate_hours=Decimal("24"),
        actual_hours=Decimal("5.5"),
        progress=50,
        status="in_progress",
    )
    requirement = requirement_services.requirement_create(
        by=cast.users["vendor_pm"], project=cast.own, text="在庫一覧を2秒以内に表示すること"
    )
    leaf.requirements.add(requirement)
    return parent, leaf, requirement


def test_wbs_page_shows_the_cells_of_a_leaf_and_a_summary(client, cast, tree):
    parent, leaf, requirement = tree
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("progress:wbs", args=[cast.own.pk])).content.decode()
    row = _row(html, leaf)
    assert '<td class="mono">1.1</td>' in row and 'class="wbs-name indent-1"' in row
    assert f'<a href="{reverse("progress:task_edit", args=[cast.own.pk, leaf.pk])}">業務ヒアリング</a>' in row
    assert '<span class="badge">Vendor only</span>' in row
    assert '<span class="muted">◆ 要件定義完了</span>' in row
    assert f'<span class="muted mono">{requirement.ref}</span>' in row
    assert f'href="{reverse("progress:task_new", args=[cast.own.pk])}?parent={leaf.pk}">+ sub-task</a>' in row
    assert f"<td>{cast.users['vendor_member'].display_name}</td>" in row
    assert '<td class="nowrap">05/01/2026</td><td class="nowrap">05/08/2026</td>' in row
    assert '<td class="num">24</td><td class="num">5.50</td>' in row  # floatformat:"-2", as before
    assert '<progress max="100" value="50" aria-label="Progress">50%</progress> 50%' in row
    assert f'action="{reverse("progress:task_progress", args=[cast.own.pk, leaf.pk])}"' in row
    assert 'name="csrfmiddlewaretoken"' in row
    assert f'id="progress-{leaf.pk}" min="0" max="100" step="1" value="50" required' in row
    assert f'id="actual-{leaf.pk}" min="0" step="0.25" value="5.50"' in row
    assert '<option value="in_progress" selected>In progress</option>' in row
    assert row.count(" selected") == 1
    summary = _row(html, parent)
    assert 'class="wbs-summary status-in_progress"' in summary
    assert '<td><span class="muted">From sub-tasks</span></td>' in summary
    assert "<form" not in summary and '<td class="num">24</td>' in summary  # rolled up from the leaf


def test_wbs_rows_escape_every_text(client, cast, tree):
    _parent, leaf, _requirement = tree
    leaf.name = '<b>"名前"</b>'
    leaf.save(update_fields=["name"])
    leaf.milestone.name = "<i>M&A</i>"
    leaf.milestone.save(update_fields=["name"])
    owner = cast.users["vendor_member"]
    owner.display_name = "<u>O'Brien</u>"
    owner.save(update_fields=["display_name"])
    client.force_login(cast.users["vendor_pm"])
    row = _row(client.get(reverse("progress:wbs", args=[cast.own.pk])).content.decode(), leaf)
    assert "&lt;b&gt;&quot;名前&quot;&lt;/b&gt;" in row and "<b>" not in row
    assert "◆ &lt;i&gt;M&amp;A&lt;/i&gt;" in row and "<i>" not in row
    assert "<td>&lt;u&gt;O&#x27;Brien&lt;/u&gt;</td>" in row and "<u>" not in row


def test_wbs_rows_without_contribute_have_no_links_or_forms(cast, tree):
    _parent, leaf, _requirement = tree
    rows = selectors.wbs_for(user=cast.users["vendor_pm"], project=cast.own)
    request = RequestFactory().get("/")
    with translation.override("en"):
        html = wbs_table.wbs_rows_html(request, project=cast.own, rows=rows, contribute=False)
    row = _row(html, leaf)
    assert 'class="wbs-name indent-1">業務ヒアリング <span class="badge">Vendor only</span>' in row
    assert "<a " not in html and "<form" not in html and "sub-task" not in html
    assert html.count("<td") == 2 * 9  # no "Report progress" column


@pytest.mark.parametrize("language", ["ja", "en", "de"])
def test_dates_and_hours_are_the_ones_django_formats(language):
    with translation.override(language):
        short_date = wbs_table._short_date_formatter()
        for day in (date(2026, 1, 5), date(2026, 12, 31)):
            assert short_date(day) == date_or_dash(day)
        assert short_date(None) == "—"
        for text in ("0", "8", "8.00", "5.5", "5.50", "54.25", "12345.00", "0.1", "66.7", "100.0", "2.005"):
            for places in ("-2", "-1"):
                assert wbs_table._hours(Decimal(text), places) == floatformat(Decimal(text), places)


def test_an_empty_wbs_says_so(client, cast):
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("progress:wbs", args=[cast.own.pk])).content.decode()
    assert '<td colspan="10">No tasks yet.</td>' in html


def test_task_urls_are_reversed_once_and_right_whatever_the_project_id():
    for project_pk in (7, 987654321):
        for name in ("progress:task_edit", "progress:task_progress"):
            assert wbs_table._task_url(name, project_pk)(12) == reverse(name, args=[project_pk, 12])
