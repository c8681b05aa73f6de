"""``shinrai render-bpmn FILE [-o OUT.svg] [--diagram N] [--list]``: draw a .bpmn file's diagram as SVG.

Run by ``shinrai`` before Django is imported (no settings, no database): it only parses and renders. A file
Shinrai refuses, an unreadable file or a wrong diagram number prints one line ``render-bpmn: <reason>`` on
standard error and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from .bpmn.parser import BpmnRejected, Limits, parse
from .bpmn.render import render_svg

EXIT_REJECTED = 2


class _Failure(Exception):
    pass


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shinrai render-bpmn",
        description="Draw one diagram of a BPMN 2.0 file as SVG (standard output, or a file with -o).",
    )
    parser.add_argument("file", help="the .bpmn file")
    parser.add_argument("-o", "--output", help="write the SVG to this file instead of standard output")
    parser.add_argument(
        "--diagram", type=int, default=1, help="which diagram to draw, 1 for the first (default)"
    )
    parser.add_argument("--list", action="store_true", help="list the file's diagrams instead of drawing")
    return parser


def render_bpmn(argv: list[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command with ``argv`` (the arguments after ``render-bpmn``); returns the exit status."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = _arguments().parse_args(argv)
    try:
        try:
            data = Path(args.file).read_bytes()
        except OSError as error:
            raise _Failure(f"cannot read {args.file}: {error.strerror or error}") from None
        if len(data) > Limits().max_bytes:
            # Checked before parsing too, but say it without reading a huge file into the XML parser.
            raise _Failure(str(BpmnRejected("too_large", limit=Limits().max_bytes // (1024 * 1024))))
        try:
            model = parse(data)
        except BpmnRejected as error:
            raise _Failure(str(error)) from None
        if args.list:
            for number, diagram in enumerate(model.diagrams, start=1):
                stdout.write(f"{number}\t{diagram.name or diagram.id}\t{len(diagram.shapes)} shapes\n")
            return 0
        count = len(model.diagrams)
        if not 1 <= args.diagram <= count:
            raise _Failure(f"--diagram must be between 1 and {count} (the file has {count} diagram(s))")
        svg = render_svg(model, args.diagram - 1)
        if args.output:
            try:
                Path(args.output).write_text(svg + "\n", encoding="utf-8")
            except OSError as error:
                raise _Failure(f"cannot write {args.output}: {error.strerror or error}") from None
            stderr.write(f"render-bpmn: wrote diagram {args.diagram} of {count} to {args.output}\n")
        else:
            stdout.write(svg + "\n")
    except _Failure as failure:
        stderr.write(f"render-bpmn: {failure}\n")
        return EXIT_REJECTED
    return 0


def run(argv: list[str]) -> int:
    return render_bpmn(argv)
