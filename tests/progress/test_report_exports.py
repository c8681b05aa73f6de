"""A weekly report as PDF and .xlsx, and the customer's report page with the schedule's charts.

The PDF is read back with pypdf (text, fonts, pages) and, where poppler's ``pdftoppm`` is installed, drawn to
PNG to check that its pages are not blank and that the charts are in colour.
"""

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

import numpy
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image, ImageDraw
from pypdf import PdfReader

from shinrai.core.models import Organization, Project
from shinrai.progress import report_pdf, report_services, services
from shinrai.progress.models import WeeklyReport
from tests.caches import clear_caches

from ..factories import TaskFactory
from .conftest import TODAY

WEEK = date(2026, 11, 16)
DONE = "・画面設計（受注入力・在庫照会）を完了しました\n・結合テストの計画書をお客様と合意しました"
PROBLEM = "・帳票の追加要望により出荷予定表の設計が1日遅れています"
NEXT = "・UAT（お客様の受入テスト）の準備を始めます"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def plan(cast, make_task, make_milestone, today):
    """Shared work in progress and done (coloured bars), a vendor-only task, a milestone."""
    pm = cast.users["vendor_pm"]
    make_milestone("要件定義完了", baseline_date=date(2026, 11, 27))
    screens = make_task(
        "画面設計", planned_start=date(2026, 11, 2), duration_days=10, estimate_hours=Decimal(40)
    )
    api = make_task("API設計", planned_start=date(2026, 11, 9), duration_days=10, estimate_hours=Decimal(20))
    make_task(
        "社内レビュー",
        planned_start=date(2026, 11, 16),
        duration_days=5,
        estimate_hours=Decimal(8),
        visibility="internal",
    )
    services.task_update_progress(by=pm, task=screens, progress=100, actual_hours=Decimal(38))
    services.task_update_progress(by=pm, task=api, progress=40, actual_hours=Decimal(9))
    return cast


def _draft(cast, clock, **fields):
    clock.set(2026, 11, 20, 17)
    pm = cast.users["vendor_pm"]
    report = report_services.report_create_draft(by=pm, project=cast.own, week_start=WEEK)
    texts = {"done": DONE, "problem": PROBLEM, "next_action": NEXT}
    fields = {"status": "amber", "status_reason": "帳票の追加要望で1日遅れ"} | texts | fields
    return report_services.report_update(by=pm, report=report, **fields)


@pytest.fixture
def published(plan, clock):
    report = _draft(plan, clock, schedule_outlook="要件定義完了は予定どおり11/27の見込みです。")
    return report_services.report_publish(by=plan.users["vendor_pm"], report=report)


def _get(client, user, name, report, project=None):
    client.force_login(user)
    return client.get(reverse(f"reports:{name}", args=[(project or report.project).pk, report.pk]))


def _pdf(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]  # embedded, not referenced by name
            names.add(str(font["/BaseFont"]))
    return names


# --- PDF ---------------------------------------------------------------------------------------------------


def test_the_customer_downloads_the_published_report_as_pdf(client, cast, published):
    response = _get(client, cast.users["customer_sponsor"], "portal_pdf", published)
    reader = _pdf(response)
    text = _text(reader)
    for expected in (
        "週次報告",
        "自社案件",  # the project
        "OWN-1",
        "ベンダーV",  # the vendor
        "顧客C1",  # the customer
        "2026-11-16 – 2026-11-22",
        "完了したこと",
        "課題・リスク",
        "次のアクション",
        "画面設計（受注入力・在庫照会）を完了しました",
        "結合テストの計画書をお客様と合意しました",
        "出荷予定表の設計が1日遅れています",
        "UAT（お客様の受入テスト）の準備を始めます",
        "▲ 注意",  # amber, in words
        "帳票の追加要望で1日遅れ",  # its reason
        "要件定義完了は予定どおり11/27の見込みです。",
        "2026-11-20 17:00",  # published (Asia/Tokyo)
        "作業の予定",  # the charts' headings
        "残っている作業",
    ):
        assert expected in text, expected
    assert "下書き" not in text
    pages = len(reader.pages)
    assert pages >= 2  # the charts start on a page of their own
    for number, page in enumerate(reader.pages, start=1):
        assert f"{number} / {pages}" in page.extract_text()
    assert {name.split("+", 1)[1] for name in _fonts(reader)} == {"IPAexGothic"}

    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="weekly-report_OWN-1_2026-11-16_v1.pdf"; ')
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "週次報告_OWN-1_2026-11-16_v1.pdf"


def test_long_text_flows_onto_more_pages(client, plan, clock):
    lines = [f"・{n}件目の確認事項について、お客様のご担当者と内容を確認しました。" for n in range(1, 121)]
    report = _draft(plan, clock, done="\n".join(lines))
    reader = _pdf(_get(client, plan.users["vendor_pm"], "pdf", report))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 4  # two pages of text or more, then the charts
    assert "・1件目の確認事項" in pages[0]
    assert "・120件目の確認事項" not in pages[0]
    assert any("・120件目の確認事項" in page for page in pages[1:])
    # A line longer than the page wraps instead of running off it.
    wide = "課題" * 200
    report = report_services.report_update(by=plan.users["vendor_pm"], report=report, problem=wide)
    text = _text(_pdf(_get(client, plan.users["vendor_pm"], "pdf", report)))
    assert wide not in text and wide.replace("\n", "") in text.replace("\n", "")


def test_a_draft_is_marked_on_every_page_and_a_correction_says_so(client, cast, published, clock):
    pm = cast.users["vendor_pm"]
    clock.set(2026, 11, 24, 9)
    correction = report_services.report_correct(
        by=pm, report=published, note="完了日の誤記を訂正しました", done="・画面設計を11/13に完了しました"
    )
    text = _text(_pdf(_get(client, cast.users["customer_member"], "portal_pdf", correction)))
    assert "訂正：バージョン 2 はバージョン 1 を訂正したものです" in text
    assert "完了日の誤記を訂正しました" in text and "・画面設計を11/13に完了しました" in text

    draft = report_services.report_create_draft(by=pm, project=cast.own, week_start=date(2026, 11, 9))
    response = _get(client, pm, "pdf", draft)
    for page in _pdf(response).pages:
        assert "下書き" in page.extract_text()
    assert 'filename="weekly-report_OWN-1_2026-11-09_draft.pdf"' in response["Content-Disposition"]


def test_symbols_the_japanese_font_lacks(client, plan, clock):
    """⚠ is drawn with DejaVu Sans (embedded only when needed); an emoji neither font has becomes □."""
    pm = plan.users["vendor_pm"]
    report = _draft(plan, clock)
    assert {name.split("+", 1)[1] for name in _fonts(_pdf(_get(client, pm, "pdf", report)))} == {
        "IPAexGothic"
    }
    report = report_services.report_update(by=pm, report=report, problem="⚠ 納期注意 🎉 完了")
    reader = _pdf(_get(client, pm, "pdf", report))
    assert {name.split("+", 1)[1] for name in _fonts(reader)} == {"IPAexGothic", "DejaVuSansBook"}
    assert "⚠ 納期注意 □ 完了" in _text(reader)


def test_the_pdf_is_in_the_readers_language(client, cast, published):
    sponsor = cast.users["customer_sponsor"]
    sponsor.language = "en"
    sponsor.save(update_fields=["language"])
    response = _get(client, sponsor, "portal_pdf", published)
    text = _text(_pdf(response))
    for expected in ("Weekly report", "Done", "Problem", "Next Action", "Customer", "顧客C1", "▲ Amber"):
        assert expected in text, expected
    assert "完了したこと" not in text
    # No progress snapshot yet: the burndown's past points are estimated, and the caption says so.
    assert "Before 2026-11-20 progress was not yet recorded" in " ".join(text.split())
    assert "filename*=UTF-8''Weekly%20report_OWN-1_2026-11-16_v1.pdf" in response["Content-Disposition"]


def test_pdf_charts_are_the_customers(plan, make_task):
    """The picture is the customer audience's for vendor and customer alike: vendor-only work is not in it."""
    vendor, customer = plan.users["vendor_pm"], plan.users["customer_sponsor"]

    def images(user):
        clear_caches()
        return report_pdf.customer_chart_images(user=user, project=plan.own, language="ja")

    before = images(customer)
    assert images(vendor) == before
    assert before.as_of == TODAY
    make_task("社内工数見直し", planned_start=date(2026, 11, 23), duration_days=3, visibility="internal")
    assert images(vendor).gantt_png == before.gantt_png
    make_task("受入テスト準備", planned_start=date(2026, 11, 23), duration_days=3, estimate_hours=Decimal(8))
    assert images(vendor).gantt_png != before.gantt_png


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_long_gantt_is_cut_between_its_rows_across_pages():
    """No database: the builder takes a report and pictures. A "Gantt" of 120 rows, 40 px each with a bar."""
    row, rows = 40, 120
    gantt = Image.new("RGB", (1500, row * rows), "white")
    draw = ImageDraw.Draw(gantt)
    for index in range(rows):
        draw.rectangle((100, index * row + 4, 1400, index * row + 35), fill=(47, 109, 181))
    burndown = Image.new("RGB", (1500, 600), (200, 55, 74))
    project = Project(
        code="P-1",
        name="長い計画",
        vendor_org=Organization(name="ベンダーV"),
        customer_org=Organization(name="顧客C1"),
    )
    report = WeeklyReport(project=project, week_start=WEEK, done="・設計", state=WeeklyReport.State.DRAFT)
    images = report_pdf.ChartImages(_png(gantt), _png(burndown), TODAY)
    reader = PdfReader(io.BytesIO(report_pdf.report_pdf(report, images=images, language="ja")))

    pictures = [picture.image for page in reader.pages for picture in page.images]
    strips, last = pictures[:-1], pictures[-1]
    assert last.size == burndown.size
    assert len(strips) >= 3  # 4,800 px at 1,500 px per 180 mm: about 576 mm of picture
    assert sum(strip.height for strip in strips) == gantt.height  # nothing lost, nothing twice
    for strip in strips[:-1]:
        assert strip.width == gantt.width
        bottom = numpy.asarray(strip.convert("L"))[-1]
        assert (bottom < 160).sum() == 0  # cut through the white gap between two bars, not a bar
    assert "1 / " in reader.pages[0].extract_text()


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (Debian poppler-utils) is not installed"
)
def test_the_pdf_draws_text_and_coloured_charts(client, cast, published, tmp_path):
    response = _get(client, cast.users["customer_sponsor"], "portal_pdf", published)
    reader = _pdf(response)
    (tmp_path / "report.pdf").write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(reader.pages)
    chart_page = next(i for i, page in enumerate(reader.pages) if "作業の予定" in page.extract_text())
    assert chart_page >= 1
    for index, path in enumerate(images):
        pixels = numpy.asarray(Image.open(path).convert("RGB")).astype(int)
        inked = (pixels.min(axis=2) < 200).mean()  # share of the page that is not white paper
        assert inked > 0.01, f"page {index + 1} looks blank ({inked:.2%})"
    # On the chart page the headings are blue and the help text grey: red and amber come from the charts
    # alone (the late and at-risk bars of the Gantt, today's line).
    pixels = numpy.asarray(Image.open(images[chart_page]).convert("RGB")).astype(int)
    coloured = int((pixels.max(axis=2) - pixels.min(axis=2) > 60).sum())
    warm = int((pixels[..., 0] - pixels[..., 2] > 60).sum())
    assert (coloured > 1000, warm > 500) == (True, True), (coloured, warm)


# --- XLSX --------------------------------------------------------------------------------------------------


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    [sheet] = workbook.worksheets
    return sheet


def test_the_report_as_xlsx(client, cast, published):
    response = _get(client, cast.users["customer_member"], "portal_xlsx", published)
    sheet = _sheet(response)
    assert sheet.title == "週次報告"
    assert sheet["A1"].value == "週次報告　自社案件"
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, max_col=2, values_only=True)}
    assert values["ベンダー"] == "ベンダーV"
    assert values["お客様"] == "顧客C1"
    assert values["プロジェクト"] == "自社案件（OWN-1）"
    assert values["週"] == "2026-11-16 – 2026-11-22"
    assert values["バージョン"] == 1
    assert values["公開日時"].strftime("%Y-%m-%d %H:%M") == "2026-11-20 17:00"
    assert values["状況"] == "▲ 注意"
    assert values["状況の理由"] == "帳票の追加要望で1日遅れ"
    assert values["完了したこと"] == DONE
    assert values["課題・リスク"] == PROBLEM
    assert values["次のアクション"] == NEXT
    assert values["スケジュールの見通し"] == "要件定義完了は予定どおり11/27の見込みです。"
    assert sheet.column_dimensions["B"].width == 90
    done_row = next(row for row in sheet.iter_rows(min_row=3, max_col=2) if row[0].value == "完了したこと")
    assert done_row[1].alignment.wrap_text
    assert sheet.row_dimensions[done_row[1].row].height == 33  # two lines of 15 points, plus 3
    disposition = response["Content-Disposition"]
    assert 'filename="weekly-report_OWN-1_2026-11-16_v1.xlsx"' in disposition


def test_xlsx_keeps_formula_like_text_as_text(client, plan, clock):
    report = _draft(
        plan, clock, done='=HYPERLINK("http://evil.example","x")', problem="-1+2", next_action="@SUM(A1)"
    )
    sheet = _sheet(_get(client, plan.users["vendor_pm"], "xlsx", report))
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=3, max_col=2)}
    for label, text in (
        ("完了したこと", '=HYPERLINK("http://evil.example","x")'),
        ("課題・リスク", "-1+2"),
        ("次のアクション", "@SUM(A1)"),
    ):
        cell = cells[label]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), label
    assert cells["バージョン"].value == "下書き"


# --- Who may download what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal_pdf", "portal_xlsx"])
def test_portal_downloads_are_for_the_projects_customers_and_published_reports(client, cast, published, name):
    report, users = published, cast.users
    assert _get(client, users["customer_member"], name, report).status_code == 200
    assert _get(client, users["vendor_member"], name, report).status_code == 200  # the vendor's preview
    for role in ("partner_viewer", "outsider_customer", "outsider_partner", "other_vendor_manager"):
        assert _get(client, users[role], name, report).status_code == 404, role
    # Another customer's project in the URL does not open this report.
    outsider = users["outsider_customer"]
    assert _get(client, outsider, name, report, project=cast.other).status_code == 404
    draft = report_services.report_create_draft(
        by=users["vendor_pm"], project=cast.own, week_start=date(2026, 11, 9)
    )
    for role in ("customer_sponsor", "vendor_pm"):  # drafts are not in the portal, not even as a preview
        assert _get(client, users[role], name, draft).status_code == 404, role


@pytest.mark.parametrize("name", ["pdf", "xlsx"])
def test_vendor_downloads_are_for_vendor_roles_and_include_drafts(client, plan, clock, name):
    draft = _draft(plan, clock)
    users = plan.users
    for role in ("vendor_pm", "vendor_member", "vendor_manager"):
        assert _get(client, users[role], name, draft).status_code == 200, role
    for role in ("customer_sponsor", "customer_member", "partner_viewer", "other_vendor_manager"):
        assert _get(client, users[role], name, draft).status_code == 404, role
    assert _get(client, users["vendor_pm"], name, draft, project=plan.other).status_code == 404


# --- The customer's report page shows the charts ------------------------------------------------------------


def _svgs(html: str) -> int:
    return html.count('<svg role="img"')


def test_the_report_page_shows_the_schedule_charts(client, cast, published):
    client.force_login(cast.users["customer_sponsor"])
    url = reverse("reports:portal_detail", args=[cast.own.pk, published.pk])
    response = client.get(url)
    html = response.content.decode()
    assert _svgs(html) == 1  # the burndown, no earned value (hours are vendor data) …
    assert (
        '<figure class="chart" id="gantt-chart"><img src="?zoom=month&amp;picture=gantt&amp;v=' in html
    )  # … Gantt
    assert list(response.context["gantt"].line_names) == ["要件定義完了", "画面設計", "API設計"]
    assert response.context["zoom"] == "month"
    assert client.get(url + "?zoom=week").context["zoom"] == "week"
    assert reverse("reports:portal_pdf", args=[cast.own.pk, published.pk]) in html
    assert reverse("reports:portal_xlsx", args=[cast.own.pk, published.pk]) in html


def test_the_report_page_query_count_does_not_grow(client, cast, published):
    url = reverse("reports:portal_detail", args=[cast.own.pk, published.pk])
    client.force_login(cast.users["customer_sponsor"])

    def count() -> int:
        client.get(url)  # draws and caches the charts
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for i in range(30):
        TaskFactory(
            project=cast.own,
            estimate_hours=4,
            progress=10,
            planned_start=date(2026, 11, 2 + i % 20),
            planned_finish=date(2026, 11, 25),
        )
    assert count() == before
