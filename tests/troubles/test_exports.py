"""The register as .xlsx and CSV: vendor roles only, filters applied, formula injection neutralised."""

import io

import openpyxl
import pytest
from django.urls import reverse

from shinrai.troubles import services

from .conftest import at, disclose, make_trouble

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(cast, clock):
    clock.set(2026, 11, 20, 15, 30)
    trouble = make_trouble(
        cast, title='=HYPERLINK("http://evil")', cost_impact=120_000, schedule_impact_days=-2
    )
    services.note_add(by=cast.users["vendor_pm"], trouble=trouble, body="社内メモは出さない")
    disclose(cast, trouble)  # 09:00 → 15:30 = 6.5 h
    make_trouble(cast, kind="risk", title="要員不足のおそれ", detected=at(2026, 11, 20, 10, 0))
    return trouble


def test_the_xlsx_has_the_register_with_safe_cells(client, cast, register):
    client.force_login(cast.users["vendor_member"])
    response = client.get(reverse("troubles:export_xlsx", args=[cast.own.pk]))
    assert response.status_code == 200
    assert "OWN-1_troubles_" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    by_ref = {row[0]: row for row in rows}
    assert set(by_ref) == {"T-001", "T-002"}
    first = by_ref["T-001"]
    assert first[2] == '=HYPERLINK("http://evil")'  # kept as text ...
    cell = next(c for c in sheet[4] + sheet[5] if c.value == '=HYPERLINK("http://evil")')
    assert cell.data_type == "s" and cell.quotePrefix  # ... never a formula
    assert (first[9], first[11], first[12]) == (6.5, 120_000, -2)
    assert "社内メモ" not in str(rows)


def test_the_csv_is_utf8_with_bom_and_filtered(client, cast, register):
    client.force_login(cast.users["vendor_pm"])
    response = client.get(reverse("troubles:export_csv", args=[cast.own.pk]), {"kind": "incident"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert len([line for line in lines if line]) == 2  # header + the incident only
    assert "'=HYPERLINK" in text and "要員不足" not in text
    assert ",6.5," in lines[1] and ",120000,-2," in lines[1]  # numbers are not prefixed


def test_customers_cannot_export(client, cast, register):
    client.force_login(cast.users["customer_sponsor"])
    assert client.get(reverse("troubles:export_csv", args=[cast.own.pk])).status_code == 404


def test_the_trouble_report_pdf_has_the_post_mortem_and_no_internal_notes(client, cast):
    from pypdf import PdfReader

    from .conftest import proposed

    pm = cast.users["vendor_pm"]
    trouble = make_trouble(cast, title="夜間バッチが停止")
    services.note_add(by=pm, trouble=trouble, body="社内メモは出さない")
    options = proposed(cast, trouble)
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=trouble, option=options[1], rationale="再発防止"
    )
    services.followup_done(
        by=pm, follow_up=services.followup_add(by=pm, trouble=trouble, action="改修版を適用")
    )
    services.trouble_close(
        by=pm,
        trouble=trouble,
        version=trouble.version,
        root_cause="再接続処理がなかった",
        whys=["DB接続が切れた"],
        preventions=[{"measure": "再接続を共通部品にする"}],
    )
    client.force_login(cast.users["customer_member"])
    response = client.get(reverse("troubles:portal_pdf", args=[cast.own.pk, trouble.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "夜間バッチが停止",
        "バッチを改修する",
        "800,000",
        "再発防止",
        "再接続処理がなかった",
        "再接続を共通部品にする",
    ):
        assert expected in text, expected
    assert "社内メモ" not in text
