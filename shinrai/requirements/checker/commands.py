"""The checker's console commands, run by ``shinrai`` before Django is imported (no database, fast start):

- ``shinrai check-requirements [FILE|-]``: one JSON line per requirement, from a text file (one requirement
  per line), an .xlsx requirement list, or standard input.
- ``shinrai verifiability-eval [PATH]``: precision/recall of the checker on the labelled evaluation set.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from .engine import check

# Headers that name the requirement text column of an .xlsx requirement list (compared case-insensitively).
TEXT_HEADERS = frozenset({"要件", "要件内容", "要件文", "requirement", "text"})
_HEADER_SEARCH_ROWS = 20  # Japanese lists often have a title and blank rows above the header.
_ZIP_MAGIC = b"PK\x03\x04"
DEFAULT_EVAL_SET = Path(__file__).resolve().parents[3] / "tests" / "requirements" / "verifiability_eval.tsv"


class InputError(Exception):
    """The input cannot be read; the message is for the user."""


def run(command: str, argv: list[str]) -> int:
    """Run ``command`` with its arguments; returns the process exit status."""
    commands = {"check-requirements": check_requirements, "verifiability-eval": verifiability_eval}
    return commands[command](argv)


def check_requirements(argv: list[str], *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="shinrai check-requirements",
        description="Check requirement sentences for vague wording; prints one JSON object per requirement.",
    )
    parser.add_argument(
        "file", nargs="?", default="-", help="text file (one per line), .xlsx, or - for stdin"
    )
    args = parser.parse_args(argv)
    stdin = stdin or sys.stdin
    if stdout is None:
        stdout = sys.stdout
        if hasattr(stdout, "reconfigure"):
            stdout.reconfigure(encoding="utf-8")  # JSON lines are UTF-8 whatever the locale says
    try:
        requirements = list(read_requirements(args.file, stdin))
    except InputError as error:
        print(f"shinrai check-requirements: {error}", file=sys.stderr)
        return 2
    try:
        for text in requirements:
            stdout.write(json.dumps(requirement_report(text), ensure_ascii=False) + "\n")
        stdout.flush()
    except BrokenPipeError:  # `… | head`: the reader has gone, which is not an error.
        sys.stdout = None  # type: ignore[assignment]  # keep Python from failing again while flushing on exit
    return 0


def requirement_report(text: str) -> dict:
    """The JSON-ready result for one requirement."""
    findings = [
        {
            "start": f.start,
            "end": f.end,
            "category": f.category,
            "message": f.message,
            "suggestion": f.suggestion,
        }
        for f in check(text)
    ]
    return {"text": text, "verifiable": not findings, "findings": findings}


def read_requirements(source: str, stdin: TextIO) -> Iterator[str]:
    """The requirement texts of ``source`` ("-" is standard input), in input order, blanks skipped."""
    if source == "-":
        # Read bytes where there are bytes, so that the input is UTF-8 whatever the locale says.
        raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
        try:
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as error:
            raise InputError(f"standard input is not UTF-8 text (byte {error.start})") from error
        yield from _lines(text)
        return
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {source}: {error.strerror or error}") from error
    if path.suffix.lower() in (".xlsx", ".xlsm") or data.startswith(_ZIP_MAGIC):
        yield from _xlsx_requirements(path)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{source} is not UTF-8 text (byte {error.start})") from error
    yield from _lines(text)


def _lines(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        line = line.strip()
        if line:
            yield line


def _xlsx_requirements(path: Path) -> list[str]:
    import zipfile

    from openpyxl import load_workbook  # Imported here: only .xlsx input pays for it.
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InputError(f"{path} is not a readable .xlsx file ({error})") from error
    try:
        if not workbook.worksheets:
            return []
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    column, first_row = _text_column(rows)
    if column is None:
        return []
    texts = (_cell_text(row[column]) if column < len(row) else "" for row in rows[first_row:])
    return [text for text in texts if text]


def _text_column(rows: list[list]) -> tuple[int | None, int]:
    """(column index, first data row): the column under a known header, else the first column with text."""
    for row_index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        for column, value in enumerate(row):
            if isinstance(value, str) and value.strip().casefold() in TEXT_HEADERS:
                return column, row_index + 1
    width = max((len(row) for row in rows), default=0)
    for column in range(width):
        if any(column < len(row) and _is_text(row[column]) for row in rows):
            return column, 0
    return None, 0


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not value.strip().replace(".", "").isdigit()


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def verifiability_eval(argv: list[str], *, stdout: TextIO | None = None) -> int:
    from .evaluation import evaluate, format_table

    parser = argparse.ArgumentParser(
        prog="shinrai verifiability-eval",
        description=(
            "Precision and recall of the verifiability checker on a labelled set. Sentence level, "
            "positive class = not verifiable: precision = flagged and truly vague / flagged; "
            "recall = flagged and truly vague / truly vague. "
            "cat.acc = share of sentences whose category set equals the labelled one."
        ),
    )
    parser.add_argument(
        "path", nargs="?", default=str(DEFAULT_EVAL_SET), help="labelled TSV (default: %(default)s)"
    )
    parser.add_argument(
        "--split",
        choices=["dev", "tuned", "holdout", "holdout2", "holdout3"],
        help="evaluate one part of the set only",
    )
    parser.add_argument("--errors", action="store_true", help="list the sentences the checker got wrong")
    args = parser.parse_args(argv)
    stdout = stdout or sys.stdout
    try:
        result = evaluate(args.path, split=args.split)
    except (OSError, ValueError, KeyError) as error:
        print(f"shinrai verifiability-eval: cannot evaluate {args.path}: {error}", file=sys.stderr)
        return 2
    print(format_table(result), file=stdout)
    if args.errors:
        for error in result["errors"]:
            print(
                f"{error['kind']:<15} {error['lang']}  expected={','.join(error['expected']) or '-'}  "
                f"found={','.join(error['found']) or '-'}  {error['text']}",
                file=stdout,
            )
    return 0
