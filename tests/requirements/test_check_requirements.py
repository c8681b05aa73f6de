"""`shinrai check-requirements` and `shinrai verifiability-eval`: plain functions run before Django."""

import io
import json
import subprocess
import sys

from openpyxl import Workbook

from shinrai.requirements.checker.commands import check_requirements, verifiability_eval


def run_check(argv, stdin_text=""):
    stdout = io.StringIO()
    status = check_requirements(argv, stdin=io.StringIO(stdin_text), stdout=stdout)
    return status, [json.loads(line) for line in stdout.getvalue().splitlines()]


def test_check_requirements_reads_stdin_line_by_line():
    status, reports = run_check(
        ["-"], "画面は迅速に表示されること。\n\n  \nSearch within 2 s at the 95th percentile.\n"
    )
    assert status == 0
    assert reports == [
        {
            "text": "画面は迅速に表示されること。",
            "verifiable": False,
            "findings": [
                {
                    "start": 3,
                    "end": 6,
                    "category": "unquantified",
                    "message": "「迅速に」には数値の基準がなく、どれだけ速い・多ければ合格か判定できません。",
                    "suggestion": "「〇〇は95パーセンタイルで△秒以内に応答すること」",
                }
            ],
        },
        {"text": "Search within 2 s at the 95th percentile.", "verifiable": True, "findings": []},
    ]


def test_check_requirements_reads_stdin_without_argument():
    status, reports = run_check([], "The UI shall be user-friendly.\n")
    assert status == 0
    assert [r["findings"][0]["category"] for r in reports] == ["subjective"]


def test_check_requirements_reads_a_text_file_in_order(tmp_path):
    path = tmp_path / "reqs.txt"
    path.write_text("\ufeff適宜更新すること。\r\nログは5年間保管すること。\r\n", encoding="utf-8")
    status, reports = run_check([str(path)])
    assert status == 0
    assert [(r["text"], r["verifiable"]) for r in reports] == [
        ("適宜更新すること。", False),
        ("ログは5年間保管すること。", True),
    ]


def test_check_requirements_reads_the_requirement_column_of_an_xlsx(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["要件一覧"])
    sheet.append([])
    sheet.append(["No.", "分類", "要件内容", "優先度"])
    sheet.append([1, "性能", "画面は迅速に表示されること。", "高"])
    sheet.append([2, "運用", None, "中"])
    sheet.append([3, "運用", "ログは5年間保管すること。", "中"])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    status, reports = run_check([str(path)])
    assert status == 0
    assert [(r["text"], r["verifiable"]) for r in reports] == [
        ("画面は迅速に表示されること。", False),
        ("ログは5年間保管すること。", True),
    ]


def test_check_requirements_falls_back_to_the_first_text_column(tmp_path):
    workbook = Workbook()
    workbook.active.append([1, "Logs shall be backed up regularly."])
    workbook.active.append([2, "Logs shall be kept for 5 years."])
    path = tmp_path / "plain.xlsx"
    workbook.save(path)
    status, reports = run_check([str(path)])
    assert [(r["text"], r["verifiable"]) for r in reports] == [
        ("Logs shall be backed up regularly.", False),
        ("Logs shall be kept for 5 years.", True),
    ]


def test_check_requirements_rejects_a_missing_file(tmp_path, capsys):
    status, reports = run_check([str(tmp_path / "missing.txt")])
    assert (status, reports) == (2, [])
    assert "cannot read" in capsys.readouterr().err


def test_check_requirements_rejects_a_file_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "sjis.txt"
    path.write_bytes("画面は迅速に表示".encode("shift_jis"))
    status, reports = run_check([str(path)])
    assert (status, reports) == (2, [])
    assert "not UTF-8" in capsys.readouterr().err


def test_check_requirements_rejects_a_broken_xlsx(tmp_path, capsys):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    status, reports = run_check([str(path)])
    assert (status, reports) == (2, [])
    assert "not a readable .xlsx" in capsys.readouterr().err


def test_shinrai_check_requirements_runs_without_django():
    code = (
        "import sys; from shinrai import cli; sys.argv = ['shinrai', 'check-requirements', '-']\n"
        "try:\n    cli.main()\nexcept SystemExit as exit:\n    status = exit.code\n"
        "print(status, any(m.startswith('django') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input="約3秒で表示すること。\n".encode(),
        capture_output=True,
        check=True,
    )
    first, last = result.stdout.decode().splitlines()
    assert json.loads(first)["findings"][0]["category"] == "hedge"
    assert last == "0 False"


def test_verifiability_eval_prints_a_table_per_language():
    stdout = io.StringIO()
    assert verifiability_eval(["--split", "dev"], stdout=stdout) == 0
    header, *rows = stdout.getvalue().splitlines()
    assert header.split()[:2] == ["lang", "n"]
    assert [row.split()[0] for row in rows] == ["ja", "en", "all"]


def test_verifiability_eval_rejects_a_missing_set(tmp_path):
    assert verifiability_eval([str(tmp_path / "none.tsv")], stdout=io.StringIO()) == 2
