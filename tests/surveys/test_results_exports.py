"""Survey results exports: the .xlsx reads back with the same figures and keeps formulas as text; the PDF has
the figures and the chart, in the embedded font; the anonymity rule holds in both."""

from __future__ import annotations

import io

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from shinrai.surveys import results_pdf, results_selectors, results_xlsx

from .test_results import rounds  # noqa: F401  (fixture)


def _xlsx(client, url) -> openpyxl.Workbook:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_xlsx_has_the_four_sheets_and_the_figures(client, cast, rounds):  # noqa: F811
    client.force_login(cast.users["vendor_pm"])
    book = _xlsx(client, reverse("survey_results:project_xlsx", args=[cast.own.pk]))
    assert book.sheetnames == ["Summary", "Questions", "Trend", "Comments"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert summary["Answers"] == 10
    assert summary["Invited"] == 14
    assert summary["Response rate (%)"] == 71
    assert summary["Overall"] == 2.97
    assert summary["NPS"] == 25
    assert summary["Anonymous answers not shown (rounds with fewer than 3)"] == 2
    questions = list(book["Questions"].iter_rows(min_row=2, values_only=True))
    assert questions[0][:6] == ("A1", "A", "logical", "The deliverables are good（改）", 8, 3.13)
    trend = list(book["Trend"].iter_rows(values_only=True))
    header = trend[0]
    second = dict(zip(header, trend[2], strict=True))
    assert second["Period"] == "第2回"
    assert second["Overall"] == 4.5
    assert second["Overall: change"] == 3.06
    assert second["Overall: p"] == pytest.approx(2 / 70, abs=1e-4)
    assert second["Overall: verdict"] == "changed"
    third = dict(zip(header, trend[3], strict=True))
    assert third["Note"] == "not shown: fewer than 3 answers"
    assert third["Overall"] is None and third["NPS"] is None


def test_xlsx_keeps_a_formula_in_a_comment_as_text(client, cast, rounds):  # noqa: F811
    client.force_login(cast.users["vendor_pm"])
    book = _xlsx(client, reverse("survey_results:project_xlsx", args=[cast.own.pk]))
    cells = [row[4] for row in book["Comments"].iter_rows(min_row=2)]
    evil = next(cell for cell in cells if str(cell.value).startswith("="))
    assert evil.value == '=HYPERLINK("http://evil.example")'
    assert evil.data_type == "s" and evil.quotePrefix
    texts = [cell.value for cell in cells]
    assert not any("秘密" in text for text in texts)  # the anonymous round of 2


def test_xlsx_of_an_anonymous_round_of_three_has_no_names(client, cast, rounds):  # noqa: F811
    from .results_helpers import answer, make_round, tokyo

    survey = make_round(
        cast.own, rounds[1].template, title="匿名3", sent_at=tokyo(2026, 10, 1), anonymous=True
    )
    for text in ("い", "あ", "う"):
        answer(survey, a=4, nps=9, comment=text)
    client.force_login(cast.users["vendor_pm"])
    book = _xlsx(client, reverse("survey_results:project_xlsx", args=[cast.own.pk]))
    rows = [row for row in book["Comments"].iter_rows(min_row=2, values_only=True) if row[0] == "匿名3"]
    assert [(row[2], row[3], row[4]) for row in rows] == [
        ("Anonymous", None, "あ"),
        ("Anonymous", None, "い"),
        ("Anonymous", None, "う"),
    ]


def test_pdf_opens_with_the_figures_and_the_chart(client, cast, rounds):  # noqa: F811
    client.force_login(cast.users["vendor_pm"])
    response = client.get(reverse("survey_results:project_pdf", args=[cast.own.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in (
        "Satisfaction survey results",
        "自社案件",
        "2.97",
        "+25",
        "第2回",
        "changed",
        "とても良かった",
    ):
        assert expected in text, expected
    assert "not shown: fewer than 3 answers" in text
    assert "秘密" not in text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].get_object().values()
    }
    assert any("IPAexGothic" in font for font in fonts), fonts
    images = sum(len(page.images) for page in reader.pages)
    assert images == 1  # the trend chart


def test_pdf_in_japanese(cast, rounds):  # noqa: F811
    results = results_selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    text = _pdf_text(results_pdf.results_pdf(results, language="ja"))
    assert "自社案件" in text and "第1回" in text


def test_exports_of_account_and_vendor(client, cast, rounds):  # noqa: F811
    client.force_login(cast.users["vendor_manager"])
    for name, args in (("account", [cast.customer.pk]), ("vendor", [])):
        book = _xlsx(client, reverse(f"survey_results:{name}_xlsx", args=args))
        periods = [row[0] for row in book["Trend"].iter_rows(min_row=2, values_only=True)]
        assert periods == ["2026 Q2", "2026 Q3"]
        pdf = client.get(reverse(f"survey_results:{name}_pdf", args=args))
        assert pdf.status_code == 200 and "2026 Q3" in _pdf_text(pdf.content)


def test_exports_without_data(cast):
    results = results_selectors.vendor_results(user=cast.users["vendor_admin"])
    assert "No survey has been sent yet." in _pdf_text(results_pdf.results_pdf(results, language="en"))
    book = openpyxl.load_workbook(io.BytesIO(results_xlsx.results_xlsx(results)))
    assert book.sheetnames == ["Summary", "Questions", "Trend", "Comments"]


def test_exports_have_every_comment(client, cast, rounds, monkeypatch):  # noqa: F811
    monkeypatch.setattr(results_selectors, "COMMENT_LIMIT", 1)
    client.force_login(cast.users["vendor_pm"])
    book = _xlsx(client, reverse("survey_results:project_xlsx", args=[cast.own.pk]))
    assert book["Comments"].max_row == 3  # the header and both comments
