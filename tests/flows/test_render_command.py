"""``shinrai render-bpmn``: SVG on stdout or into a file, one-line refusals with exit status 2, no Django."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from shinrai.flows.render_command import render_bpmn

from .conftest import SAMPLES

SHINRAI = Path(sys.executable).with_name("shinrai")


def _run(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = render_bpmn(list(args), stdout=stdout, stderr=stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def test_render_bpmn_prints_svg():
    status, out, err = _run(str(SAMPLES / "A.1.0.bpmn"))
    assert (status, err) == (0, "")
    root = ET.fromstring(out)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(".//*[@data-bpmn-id]")) == 9  # 5 shapes, 4 flows


def test_render_bpmn_writes_a_file(tmp_path):
    target = tmp_path / "out.svg"
    status, out, err = _run(str(SAMPLES / "C.2.0.bpmn"), "-o", str(target))
    assert (status, out) == (0, "")
    assert err == f"render-bpmn: wrote diagram 1 of 1 to {target}\n"
    assert ET.fromstring(target.read_text(encoding="utf-8")).get("role") == "img"


def test_render_bpmn_lists_diagrams():
    status, out, _ = _run(str(SAMPLES / "C.2.0.bpmn"), "--list")
    assert status == 0
    assert out == "1\tBuying at Amazon Collaboration\t35 shapes\n"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["missing.bpmn"], "render-bpmn: cannot read missing.bpmn: No such file or directory\n"),
        (
            [str(SAMPLES / "A.1.0.bpmn"), "--diagram", "2"],
            "render-bpmn: --diagram must be between 1 and 1 (the file has 1 diagram(s))\n",
        ),
        (
            [str(SAMPLES / "A.1.0.bpmn"), "--diagram", "0"],
            "render-bpmn: --diagram must be between 1 and 1 (the file has 1 diagram(s))\n",
        ),
        ([str(SAMPLES / "README.md")], "render-bpmn: the file is not well-formed XML (line 1, column 1)\n"),
    ],
)
def test_render_bpmn_refuses_with_one_line(args, reason, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = _run(*args)
    assert (status, out, err) == (2, "", reason)


def test_render_bpmn_refuses_a_dtd(tmp_path):
    hostile = tmp_path / "x.bpmn"
    hostile.write_text('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>', encoding="utf-8")
    status, out, err = _run(str(hostile))
    assert (status, out) == (2, "")
    assert err.startswith("render-bpmn: the file uses a DTD") and err.count("\n") == 1


def test_render_bpmn_console_script_runs_without_django(tmp_path):
    target = tmp_path / "b.svg"
    done = subprocess.run(
        [str(SHINRAI), "render-bpmn", str(SAMPLES / "B.1.0.bpmn"), "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("render-bpmn: wrote diagram 1 of 1")
    assert 'data-bpmn-kind="callActivity"' in target.read_text(encoding="utf-8")
    refused = subprocess.run(
        [str(SHINRAI), "render-bpmn", str(tmp_path / "nope.bpmn")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("render-bpmn: cannot read")
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, shinrai.flows.render_command; "
            "print(any(m.split('.')[0] == 'django' for m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert probe.stdout.strip() == "False"
