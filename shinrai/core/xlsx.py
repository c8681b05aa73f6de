"""What every .xlsx export and import shares: limits, reading an untrusted file safely, cells, errors.

Used by the requirements register (``requirements/excel.py``) and the WBS (``progress/wbs_excel.py``).

An uploaded file is untrusted: its size is checked before it is read, the zip is checked for encryption,
damage, unpacked size (zip bombs) and the number of XML elements (a small file of millions of empty rows
costs as much to read as a huge one), XML with a DOCTYPE or entity declarations is refused, and openpyxl
parses the rest with defusedxml (``openpyxl.DEFUSEDXML``), which refuses entity expansion and external
entities: a second line of defence.

On export, text that a spreadsheet could take for a formula (``=``, ``+``, ``-``, ``@`` …) is stored as
text with Excel's quote prefix, never as a formula; the value itself is unchanged, so it imports back as is.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any

import openpyxl
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a 5 MB zip may not unpack into gigabytes (zip bomb)
MAX_ZIP_ENTRIES = 1_000
# XML elements in all parts together (cells, rows, strings, formats…). Parsing time grows with their number,
# not with bytes: 50 MB of "<row/>" is eight million rows. A 10,000-row WBS has about 400,000.
MAX_XML_ELEMENTS = 1_000_000
MAX_COLUMNS = 100
# Excel's own limit for the text of one cell: a longer one was not written by a spreadsheet program, and
# checking and comparing megabytes of text per cell would cost seconds.
MAX_CELL_CHARS = 32_767
# How far down a sheet is read: this many times the rows it may hold (blank rows between them are fine).
ROW_SPAN = 2

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_ZIP_SIGNATURE = b"PK\x03\x04"
# Password-protected .xlsx files (and old .xls files) are OLE compound documents, not zips.
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORBIDDEN_XML = (b"<!doctype", b"<!entity")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ----------------------------------------------------------------------------------------------------
# Results and errors


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an imported file: ``row`` as Excel numbers it, ``column`` the column's title."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = " ".join(
            part
            for part in (self.sheet, _("row %(row)s") % {"row": self.row} if self.row else "", self.column)
            if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Rejected(Exception):
    """The file as a whole cannot be read; carries the one message to report."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ----------------------------------------------------------------------------------------------------
# Writing


def safe_text(value: str) -> str:
    """Drop the characters XML cannot carry (e.g. pasted control codes): openpyxl would refuse the file."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def set_safe_value(cell, value: Any):
    """Put ``value`` into ``cell``; text a spreadsheet could take for a formula is kept as text.

    The cell is stored as a string (never as a formula), and with Excel's quote prefix, as if the user had
    typed an apostrophe before it: Excel shows the text unchanged and keeps it text when the cell is edited.
    The value itself is not changed, so an export imports back to the same text.
    """
    if isinstance(value, str):
        value = safe_text(value)
        cell.value = value
        if value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


# ----------------------------------------------------------------------------------------------------
# Reading an untrusted upload


def read_upload(file: bytes | IO[bytes], *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The upload's bytes, refusing anything over the limit before reading it all."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes:
            raise Rejected(too_large(max_bytes))
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Rejected(too_large(max_bytes))
    return data


def too_large(max_bytes: int = MAX_FILE_BYTES) -> str:
    return _("The file is larger than %(limit)s MB. Split it into smaller files.") % {
        "limit": max_bytes // (1024 * 1024)
    }


def not_xlsx() -> str:
    return _("This is not an Excel file (.xlsx).")


def damaged() -> str:
    return _("The file is damaged and cannot be read. Save it again in Excel and retry.")


def protected() -> str:
    return _(
        "The file is password-protected or in the old .xls format. "
        "Save it as an .xlsx file without a password."
    )


def forbidden_xml() -> str:
    return _("The file contains XML declarations (DOCTYPE or ENTITY) that are not allowed in an Excel file.")


def unpacks_too_large() -> str:
    return _("The file unpacks to more data than an Excel file of this size can hold.")


def cell_too_long() -> str:
    return _("A cell holds more than %(limit)s characters, more than Excel allows.") % {
        "limit": f"{MAX_CELL_CHARS:,}"
    }


def too_many_elements() -> str:
    return _(
        "The file holds more cells, rows and formats than can be read at once (over %(limit)s). "
        "Split it into smaller files."
    ) % {"limit": f"{MAX_XML_ELEMENTS:,}"}


def check_package(data: bytes) -> None:
    """Refuse what is not a plain .xlsx before any XML parser sees it."""
    if data.startswith(_OLE_SIGNATURE):
        raise Rejected(protected())
    if not data.startswith(_ZIP_SIGNATURE):
        raise Rejected(not_xlsx())
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise Rejected(damaged()) from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if (
            len(infos) > MAX_ZIP_ENTRIES
            or "[Content_Types].xml" not in names
            or "xl/workbook.xml" not in names
        ):
            raise Rejected(not_xlsx())
        if any(info.flag_bits & 0x1 for info in infos):
            raise Rejected(protected())
        unpacked = elements = 0
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue  # images, printer settings…: openpyxl does not parse them
            try:
                with archive.open(info) as member:
                    tail = b""
                    while chunk := member.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked > MAX_UNPACKED_BYTES:
                            raise Rejected(unpacks_too_large())
                        # A real workbook never declares a DOCTYPE: that is how entity expansion ("billion
                        # laughs") and external entities (XXE) are smuggled in.
                        window = (tail + chunk).lower()
                        if any(marker in window for marker in _FORBIDDEN_XML):
                            raise Rejected(forbidden_xml())
                        tail = chunk[-16:]
                        # Start tags (an element split across two chunks may be counted twice: no matter).
                        elements += chunk.count(b"<") - chunk.count(b"</") - chunk.count(b"<?")
                        if elements > MAX_XML_ELEMENTS:
                            raise Rejected(too_many_elements())
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
                raise Rejected(damaged()) from None


def read_sheets(
    data: bytes,
    names: Sequence[str],
    *,
    max_rows: int,
    too_many_rows: Callable[[str], str],
    or_first: bool = False,
) -> dict[str, list[tuple[int, tuple]]]:
    """Raw cell values of the named sheets: {sheet: [(excel row number, values), …]} without empty rows.

    A sheet that is missing is left out of the answer. With ``or_first``, when none of ``names`` exists
    the workbook's first sheet is read instead (under its own name). More than ``max_rows`` non-empty rows
    on a sheet raise ``Rejected(too_many_rows(sheet))`` as soon as they are seen.
    """
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned dependency
        raise RuntimeError("defusedxml must be installed: openpyxl would parse untrusted XML without it")
    sheets: dict[str, list[tuple[int, tuple]]] = {}
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            wanted = [name for name in names if name in workbook.sheetnames]
            if not wanted and or_first and workbook.sheetnames:
                wanted = workbook.sheetnames[:1]
            for name in wanted:
                rows = []
                sheet = workbook[name]
                if not hasattr(sheet, "iter_rows"):
                    continue  # a chart sheet has no cells
                # Read-only mode trusts the size the sheet declares and would silently drop rows beyond it;
                # some programs write it wrong. Read every row instead, at most MAX_COLUMNS wide.
                sheet.reset_dimensions()
                # Empty rows cost time too: a 2 MB file can hold a million of them (openpyxl even makes up the
                # rows a sheet skips, so one cell in row 1,048,576 is a million rows). Reading stops at
                # ``last_row``; a sheet that goes on past it is refused like one with too many rows.
                last_row = max_rows * ROW_SPAN
                for number, values in enumerate(
                    sheet.iter_rows(max_col=MAX_COLUMNS, max_row=last_row + 1, values_only=True), start=1
                ):
                    if number > last_row:
                        raise Rejected(too_many_rows(name))
                    if all(is_blank(v) for v in values):
                        continue
                    if any(isinstance(v, str) and len(v) > MAX_CELL_CHARS for v in values):
                        raise Rejected(cell_too_long())
                    rows.append((number, values))
                    # Stop reading early; the exact count (rows under the column titles) is checked later.
                    if len(rows) > max_rows:
                        raise Rejected(too_many_rows(name))
                sheets[name] = rows
        finally:
            workbook.close()
    except Rejected:
        raise
    except Exception as error:
        if caused_by(error, DefusedXmlException):  # openpyxl wraps parser errors in its own ValueError
            raise Rejected(forbidden_xml()) from None
        # Anything the parser trips over in an untrusted file (bad XML, missing parts, bad zip) means the same
        # thing to the user; the details would not help them.
        raise Rejected(damaged()) from None
    return sheets


def caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


# ----------------------------------------------------------------------------------------------------
# Reading cells


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean(value: str) -> str:
    """Text as compared and stored: one kind of line break, no characters XML cannot hold, no outer spaces."""
    return safe_text(value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def normal_token(value: str) -> str:
    """Compare labels leniently: full-width/half-width, case, spaces and punctuation do not matter."""
    text = unicodedata.normalize("NFKC", value).casefold()
    return re.sub(r"[\s_\-'’・()（）]", "", text) or text


class CellError(Exception):
    """A cell holds a value of the wrong kind; the message says what to enter instead."""


def cell_text(value: Any) -> str:
    """A cell as text ("" when empty; 3.0 reads as "3"); a date, time or TRUE/FALSE raises CellError."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, bool | date | datetime | time | timedelta):
        raise CellError(_("Enter text or a number here, not a date, a time or TRUE/FALSE."))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    raise CellError(_("Enter text or a number here."))


def unknown_choice(value: str, labels: dict) -> str:
    """The message for a cell whose text is none of ``labels``' values (listed in their order)."""
    return _("“%(value)s” is not one of: %(choices)s.") % {
        "value": value,
        "choices": " / ".join(labels.values()),
    }
