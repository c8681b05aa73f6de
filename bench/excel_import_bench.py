"""Time the Excel import of the requirements register (DESIGN.md: 10,000 rows in at most 10 s).

Run from the repository root; it builds a fresh SQLite database in a temporary directory (your data is
not touched):

    .venv/bin/python bench/excel_import_bench.py             # 5,000 requirements + 5,000 criteria rows
    .venv/bin/python bench/excel_import_bench.py --requirements 10000 --criteria 10000

The default file has 10,000 rows in all: the import refuses more than 5,000 rows per sheet
(excel.MAX_ROWS), so that is the largest file it accepts. Larger counts raise the limit for the run, to
show how the time grows. Three imports are timed: a file of new requirements, the resulting export
imported back unchanged, and that export with every requirement's text changed.
"""

from __future__ import annotations

import argparse
import io
import time

from _common import fresh_database, vendor_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=int, default=5_000)
    parser.add_argument("--criteria", type=int, default=5_000)
    args = parser.parse_args()

    workdir = fresh_database(prefix="shinrai-excel-bench-")
    import openpyxl
    from django.db import connection

    from shinrai.requirements import excel, services
    from shinrai.requirements.models import Requirement

    project, user = vendor_project()
    for name in ("工場長", "出荷担当", "経理"):
        services.stakeholder_save(by=user, project=project, name=name, category="field_staff")
    services.goal_save(by=user, project=project, title="納期回答の迅速化", success_definition="当日中に回答")
    excel.MAX_ROWS = max(excel.MAX_ROWS, args.requirements, args.criteria)

    book = openpyxl.load_workbook(io.BytesIO(excel.export_requirements(user=user, project=project)))
    main_sheet, criteria_sheet = book[excel.MAIN_SHEET], book[excel.CRITERIA_SHEET]
    for n in range(1, args.requirements + 1):
        if n % 4 == 0:
            row = [f"NEW-{n}", f"受注画面{n}は平日8時から20時まで利用できること", "非機能", "可用性", "推奨"]
        else:
            row = [f"NEW-{n}", f"在庫一覧{n}を迅速に表示すること", "機能", None, "必須"]
        main_sheet.append([*row, "納期回答の迅速化", "工場長, 出荷担当"])
    for n in range(args.criteria):
        ref = f"NEW-{n % args.requirements + 1}"
        criteria_sheet.append(
            [ref, "検索応答時間(95パーセンタイル)", "≤", "2", None, "秒", "同時利用者300人", "負荷試験"]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    new_file = buffer.getvalue()

    def timed(label: str, data: bytes) -> None:
        connection.queries_log.clear()
        started = time.perf_counter()
        result = excel.import_requirements(user=user, project=project, file=data)
        elapsed = time.perf_counter() - started
        assert not result.errors, result.errors[:5]
        print(
            f"{label:<28} {elapsed:6.2f} s  ({len(data) / 1e6:.1f} MB; created {result.created}, "
            f"updated {result.updated}, unchanged {result.unchanged})"
        )

    rows = args.requirements + args.criteria
    counts = f"{args.requirements:,} requirements + {args.criteria:,} criteria"
    print(f"Excel import, {counts} = {rows:,} rows, SQLite")
    timed("new requirements", new_file)
    started = time.perf_counter()
    exported = excel.export_requirements(user=user, project=project)
    print(f"{'(export of the result)':<28} {time.perf_counter() - started:6.2f} s")
    timed("unchanged re-import", exported)
    book = openpyxl.load_workbook(io.BytesIO(exported))
    for row in book[excel.MAIN_SHEET].iter_rows(min_row=excel.HEADER_ROW + 1, max_col=2):
        row[1].value = row[1].value.replace("迅速に", "2秒以内に").replace("利用できること", "利用できる")
    buffer = io.BytesIO()
    book.save(buffer)
    timed("every text changed", buffer.getvalue())
    assert Requirement.objects.filter(project=project).count() == args.requirements
    print(f"(database: {workdir})")


if __name__ == "__main__":
    main()
