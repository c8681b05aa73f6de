"""Threat: CSV and spreadsheet formula injection through every export (ASVS 5.0 V1.2.10).

Exports are discovered from the URL patterns (a route ending in .xlsx/.csv or /xlsx/, /csv/), so a new
export without an entry in ``EXPORTS`` fails ``test_every_spreadsheet_export_is_covered``. Every free-text
column of every model is then filled with formula payloads, every export is downloaded by a user allowed
to, and every cell is read back:

- .xlsx: no cell is a formula; text starting with = + - @, a tab or a carriage return is a string cell with
  Excel's quote prefix (shown as typed, never run, and kept as text when edited);
- .csv: UTF-8 with a BOM; such text starts with an apostrophe;
- numbers stay numbers (a negative NPS is a number, not text behind an apostrophe), and a NUL in front of
  a formula (which the database of the tests may not store) is dropped before the check, not after.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from shinrai.core.xlsx import FORMULA_PREFIXES, set_safe_value
from shinrai.ledger import exports as ledger_exports
from shinrai.ledger import services as ledger_services
from shinrai.ledger.models import CustomerRequest
from shinrai.progress import services as progress_services
from shinrai.troubles import exports as trouble_exports
from shinrai.troubles import services as trouble_services
from tests.caches import clear_caches
from tests.surveys import results_helpers

from . import hostile_world
from .payloads import FORMULAS
from .test_access_matrix import EXPECTATIONS, iter_routes

XLSX, CSV = "xlsx", "csv"
EXPORTS = {
    "requirements:export": XLSX,
    "progress:wbs_export": XLSX,
    "reports:xlsx": XLSX,
    "reports:portal_xlsx": XLSX,
    "troubles:export_xlsx": XLSX,
    "troubles:export_csv": CSV,
    "ledger:requests_xlsx": XLSX,
    "ledger:requests_csv": CSV,
    "ledger:portal_requests_xlsx": XLSX,
    "ledger:portal_requests_csv": CSV,
    "survey_results:project_xlsx": XLSX,
    "survey_results:account_xlsx": XLSX,
    "survey_results:vendor_xlsx": XLSX,
}
SPREADSHEET_ROUTE = re.compile(r"[./](xlsx|csv)/?\$?$")
DANGEROUS_START = (*FORMULA_PREFIXES, "\x00")


def test_every_spreadsheet_export_is_covered():
    discovered = {
        name: SPREADSHEET_ROUTE.search(route).group(1)
        for name, route in iter_routes()
        if SPREADSHEET_ROUTE.search(route)
    }
    assert discovered == EXPORTS


def xlsx_problems(content: bytes) -> tuple[list[str], int]:
    """(problems, number of cells kept as text by the quote prefix) of a workbook."""
    problems, protected = [], 0
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                where = f"{sheet.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    problems.append(f"{where} is a formula: {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(DANGEROUS_START):
                    if cell.data_type != "s" or not cell.quotePrefix:
                        problems.append(f"{where} would run: {cell.value!r}")
                    protected += 1
    return problems, protected


def csv_problems(content: bytes) -> tuple[list[str], int]:
    problems, protected = [], 0
    if not content.startswith(b"\xef\xbb\xbf"):
        problems.append("no UTF-8 byte order mark (Excel would read it in the local code page)")
    for number, row in enumerate(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")), start=1):
        for column, field in enumerate(row, start=1):
            if field.startswith(DANGEROUS_START):
                problems.append(f"row {number} column {column} would run: {field!r}")
            elif field.startswith("'") and field[1:].startswith(FORMULA_PREFIXES):
                protected += 1
    return problems, protected


def _items_shown_in_exports(cast) -> None:
    """What the register exports list (their routes need only the project), and two answered survey rounds
    (results show only answered ones)."""
    pm = cast.users["vendor_pm"]
    trouble = trouble_services.trouble_create(
        by=pm,
        project=cast.own,
        kind="incident",
        title="障害",
        facts="事実",
        detected_at=timezone.now() - timedelta(hours=3),
        severity="high",
    )
    trouble_services.trouble_disclose(by=pm, trouble=trouble, version=trouble.version, visibility="customer")
    ledger_services.request_create(
        by=cast.users["customer_sponsor"],
        project=cast.own,
        title="資料",
        body="詳細",
        due_at=timezone.now() + timedelta(days=2),
    )
    template = results_helpers.make_template(vendor=cast.vendor)
    for month in (4, 7):
        survey = results_helpers.make_round(
            cast.own, template, title="満足度", sent_at=results_helpers.tokyo(2026, month, 1)
        )
        for nps in (0, 3, 10):
            results_helpers.answer(survey, a=2, b=3, c=4, d=5, nps=nps, comment="コメント")


@pytest.fixture
def exports(cast):
    planned = hostile_world.visits(cast, EXPECTATIONS, wanted=EXPORTS.__contains__)
    _items_shown_in_exports(cast)
    assert hostile_world.poison_every_text_column(FORMULAS, long_text=None) > 50
    clear_caches()
    return planned


def test_exports_keep_formulas_as_text(client, cast, exports):
    assert {visit.route for visit in exports} == set(EXPORTS)
    failures = []
    for visit in exports:
        client.force_login(cast.users[visit.role])
        response = client.get(visit.url)
        where = f"{visit.route} as {visit.role}"
        if response.status_code != 200:
            failures.append(f"{where}: HTTP {response.status_code}")
            continue
        assert response["Content-Disposition"].startswith("attachment")
        check = xlsx_problems if EXPORTS[visit.route] == XLSX else csv_problems
        problems, protected = check(response.content)
        failures += [f"{where}: {problem}" for problem in problems]
        if not protected:
            failures.append(f"{where}: no stored text in the export (was it set up?)")
    assert not failures, "\n".join(failures)


def test_numbers_stay_numbers(client, cast):
    pm = cast.users["vendor_pm"]
    progress_services.task_save(by=pm, project=cast.own, name="-5", estimate_hours=Decimal("12.5"))
    trouble = trouble_services.trouble_create(
        by=pm,
        project=cast.own,
        kind="issue",
        title="=1+1",
        facts="-1",
        detected_at=timezone.now() - timedelta(hours=5),
        severity="high",
        cost_impact=1_234_567,
    )
    trouble_services.trouble_disclose(by=pm, trouble=trouble, version=trouble.version, visibility="customer")
    template = results_helpers.make_template(vendor=cast.vendor)
    survey = results_helpers.make_round(
        cast.own, template, title="調査", sent_at=results_helpers.tokyo(2026, 4, 1)
    )
    for _ in range(3):
        results_helpers.answer(survey, a=1, b=1, c=1, d=1, nps=0, comment="-")  # NPS -100
    client.force_login(pm)

    wbs = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("progress:wbs_export", args=[cast.own.pk])).content)
    )
    cells = [cell for row in wbs.worksheets[0].iter_rows() for cell in row]
    name = next(cell for cell in cells if cell.value == "-5")
    assert (name.data_type, name.quotePrefix) == ("s", True)
    assert any(cell.value == 12.5 and cell.data_type == "n" for cell in cells)

    register = client.get(reverse("troubles:export_xlsx", args=[cast.own.pk])).content
    values = [
        cell for row in openpyxl.load_workbook(io.BytesIO(register)).worksheets[0].iter_rows() for cell in row
    ]
    assert any(cell.value == 1_234_567 and cell.data_type == "n" for cell in values)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("troubles:export_csv", args=[cast.own.pk])).content.decode("utf-8-sig")
            )
        )
    )
    assert "1234567" in rows[1] and "'=1+1" in rows[1] and "'-1" in rows[1]

    results = client.get(reverse("survey_results:project_xlsx", args=[cast.own.pk])).content
    numbers = [
        cell.value
        for sheet in openpyxl.load_workbook(io.BytesIO(results)).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "n"
    ]
    assert -100 in numbers
    assert xlsx_problems(results)[0] == []


@pytest.mark.parametrize("value", ["\x00=1+1", "\x00\x00@SUM(1)", "\x00-1"])
def test_a_nul_in_front_of_a_formula_does_not_hide_it(cast, value):
    """ASVS V1.2.10 names NUL among the characters to escape: it is removed, what follows is kept as text."""
    cell = set_safe_value(openpyxl.Workbook().active.cell(row=1, column=1), value)
    assert (cell.value, cell.quotePrefix) == (value.lstrip("\x00"), True)
    assert trouble_exports.csv_cell(value) == "'" + value.lstrip("\x00")
    request = CustomerRequest(
        project=cast.own,
        title=value,
        body=value,
        due_at=timezone.now(),
        requested_by=cast.users["customer_sponsor"],
        answer=value,
    )
    content = ledger_exports.requests_csv([request])
    problems, protected = csv_problems(content)
    assert problems == []
    assert protected == 3
    assert "\x00" not in content.decode("utf-8-sig")
