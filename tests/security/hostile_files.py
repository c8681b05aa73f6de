"""Hostile upload files, built in memory by the tests (nothing large is kept in the repository).

An .xlsx is a zip of XML parts; :func:`xlsx` writes one from raw parts so that each part can be made
hostile on its own (a DOCTYPE in a sheet, a million rows, a part that unpacks to gigabytes).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"
NO_STRINGS = (
    f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="0" uniqueCount="0"/>'.encode()
)


def workbook(sheet_name: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()


def xlsx(
    sheet: bytes,
    *,
    sheet_name: str = "Sheet1",
    strings: bytes = NO_STRINGS,
    extra: dict[str, bytes] | None = None,
    without: tuple[str, ...] = (),
) -> bytes:
    """A workbook of one sheet (its XML as given), compressed the way Excel does."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": workbook(sheet_name),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name not in without:
                archive.writestr(name, data)
    return buffer.getvalue()


def sheet(rows: bytes) -> bytes:
    return SHEET_HEAD + rows + SHEET_TAIL


def inline_cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def laughs(levels: int = 9) -> str:
    """The billion laughs: ten entities, each ten times the one before (3 GB once expanded)."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1)
    ]
    return f"<!DOCTYPE worksheet [{''.join(entities)}]>"


def with_doctype(doctype: str, cell_text: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="{MAIN_NS}"><sheetData>'
        f'<row r="1">{inline_cell("A1", cell_text).decode()}</row></sheetData></worksheet>'
    ).encode()


def zip_bomb_part(unpacked_bytes: int) -> bytes:
    """A sheet that unpacks to ``unpacked_bytes`` of spaces in one cell (about 1,000 times smaller packed)."""
    return (
        SHEET_HEAD
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
        + b" " * unpacked_bytes
        + b"</t></is></c></row>"
        + SHEET_TAIL
    )


def many_rows(count: int) -> bytes:
    return sheet(b"".join(b'<row r="%d"/>' % n for n in range(1, count + 1)))


def with_encryption_flag(data: bytes) -> bytes:
    """The same zip with every entry marked encrypted (general purpose flag bit 0), as password tools do."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := patched.find(signature, start)) != -1:
            flags = struct.unpack_from("<H", patched, start + offset)[0]
            struct.pack_into("<H", patched, start + offset, flags | 0x1)
            start += 4
    return bytes(patched)


def deflated_size(data: bytes) -> int:
    return len(zlib.compress(data, 9))
