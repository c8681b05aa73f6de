"""Strategies for spreadsheet cells: every kind of value openpyxl hands back, and the text people type."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

# Text that people type into cells, and that breaks naive parsers: numbers written every way (full-width,
# with separators, units, exponents), dates in Japanese and ISO forms, codes Excel mangles, formulas.
TYPED = [
    "1", "1.1", "1.10", "01.2", "1.2.", "1..2", "0", "1.0", "１．２", "١.٢", "1. 2", " 3 ", "99999", "100000",
    "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21", "7.5", "7.5h", "7.5 hours", "8時間",
    "１，２００",
    "1,200", "1e100", "1E+30", "-0", "-1", "NaN", "Infinity", "0.005", "9999999.994", "9999999.995", "50%",
    "100", "101", "99.5", "2026/05/01", "2026-5-1", "2026年5月1日", "２０２６／０５／０１", "2026-02-30",
    "0000-01-01", "2026-05-01 00:00:00", "2026-05-01T09:00", "REQ-1", "req-001", "ＲＥＱ－０１２",
    "REQ-9999999",
    "NEW-1", "新規", "REQ-1, REQ-2、REQ-3", "=1+1", "+cmd", "@SUM(A1)", "-2+3", "完了", "Done", "済", "保留",
    "社内限定", "お客様", "Partners", "vendor_pm@example.jp", "VENDOR_PM@EXAMPLE.JP", "nobody@example.jp",
    "要件定義完了", "", " ", "\n", "\u3000", "\u202e", "😀",
]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(TYPED),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
)
CELL = st.one_of(
    st.none(),
    TEXT,
    TEXT,
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 1, 1)),
    st.times(),
    st.timedeltas(min_value=timedelta(days=-1000), max_value=timedelta(days=1000)),
)
# What openpyxl can write (and so what an uploaded file can hold): no Decimal NaN, no lone surrogates.
WRITABLE = st.one_of(
    st.none(),
    TEXT,
    TEXT,
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)),
)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx file with these sheets, rows written from row 1."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([_writable(value) for value in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Edits of an exported workbook: (sheet index, row, column, new value).
EDITS = st.lists(
    st.tuples(st.integers(0, 1), st.integers(1, 12), st.integers(1, 14), WRITABLE), min_size=1, max_size=4
)


def edited(data: bytes, edits) -> bytes:
    """The workbook ``data`` with some cells changed, as someone editing the exported file would."""
    book = load_workbook(BytesIO(data))
    for sheet_index, row, column, value in edits:
        sheet = book.worksheets[min(sheet_index, len(book.worksheets) - 1)]
        sheet.cell(row=row, column=column).value = _writable(value)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _writable(value):
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, time | timedelta):
        return str(value)
    return value
