"""Time the Excel import of the WBS (DESIGN.md: an Excel import of 10,000 rows in at most 10 s).

Run from the repository root; it builds a fresh SQLite database in a temporary directory (your data is
not touched):

    .venv/bin/python bench/wbs_import_bench.py              # 10,000 tasks: 200 phases × 49 sub-tasks
    .venv/bin/python bench/wbs_import_bench.py --tasks 2000

Three imports are timed, each a whole file checked and written in one transaction: a file of new tasks
(owners, dates, hours, progress, statuses, milestones and requirement links filled in), the resulting
export imported back unchanged, and that export with every unfinished leaf task's progress and actual
hours changed (an UPDATE and a task.progress audit event per task). The export itself is timed too.
Wall-clock and CPU time are printed: CPU time is the fairer figure on a shared machine.
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import date, timedelta

from _common import fresh_database, vendor_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000, help="rows in the file (default 10,000)")
    parser.add_argument("--children", type=int, default=49, help="sub-tasks per top-level task")
    args = parser.parse_args()

    workdir = fresh_database(prefix="shinrai-wbs-bench-")
    import openpyxl

    from shinrai.core.models import AuditEvent, ProjectMember, Role, User
    from shinrai.progress import services, wbs_excel
    from shinrai.progress.models import Task
    from shinrai.requirements import services as requirement_services

    project, pm = vendor_project()
    members = []
    for n in range(5):
        member = User.objects.create(
            email=f"dev{n}@example.jp", display_name=f"開発{n}", organization=project.vendor_org
        )
        ProjectMember.objects.create(project=project, user=member, role=Role.VENDOR_MEMBER)
        members.append(member)
    for name in ("要件定義完了", "設計完了", "結合テスト完了"):
        services.milestone_save(by=pm, project=project, name=name, baseline_date=date(2027, 3, 31))
    for n in range(20):
        requirement_services.requirement_create(
            by=pm, project=project, text=f"在庫一覧{n}を2秒以内に表示する"
        )
    wbs_excel.MAX_ROWS = max(wbs_excel.MAX_ROWS, args.tasks)

    book = openpyxl.load_workbook(io.BytesIO(wbs_excel.export_wbs(user=pm, project=project, language="ja")))
    ws = book["WBS"]
    per_phase = args.children + 1
    start = date(2026, 4, 1)
    rows = 0
    for phase in range(1, args.tasks // per_phase + 2):
        if rows >= args.tasks:
            break
        ws.append([str(phase), f"工程{phase}", pm.email, None, None, None, None, None, None, "設計完了"])
        rows += 1
        for child in range(1, args.children + 1):
            if rows >= args.tasks:
                break
            n = phase * 100 + child
            first = start + timedelta(days=(n % 200))
            progress = (n * 7) % 101
            status = "完了" if progress == 100 else ("未着手" if progress == 0 else "進行中")
            ws.append([
                f"{phase}.{child}", f"画面{phase}-{child}の設計と実装", members[n % 5].email, first,
                first + timedelta(days=4), 16 + n % 9, (n % 13) * 1.5, progress, status,
                "設計完了" if n % 3 else None, f"REQ-{n % 20 + 1:03d}", "社内とお客様",
            ])  # fmt: skip
            rows += 1
    buffer = io.BytesIO()
    book.save(buffer)
    new_file = buffer.getvalue()

    def timed(label: str, data: bytes) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        result = wbs_excel.import_wbs(user=pm, project=project, file=data, language="ja")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert not result.errors, [str(e) for e in result.errors[:5]]
        print(
            f"{label:<30} {elapsed:6.2f} s (CPU {cpu:5.2f} s)  ({len(data) / 1e6:.2f} MB; created "
            f"{result.created:,}, updated {result.updated:,}, unchanged {result.unchanged:,})"
        )

    print(f"WBS Excel import, {rows:,} rows, SQLite")
    timed("new tasks", new_file)
    started, cpu = time.perf_counter(), time.process_time()
    exported = wbs_excel.export_wbs(user=pm, project=project, language="ja")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{'(export of the result)':<30} {elapsed:6.2f} s (CPU {cpu:5.2f} s)")
    timed("unchanged re-import", exported)
    book = openpyxl.load_workbook(io.BytesIO(exported))
    ws = book["WBS"]
    changed = 0
    for row in ws.iter_rows(min_row=wbs_excel.FIRST_ROW):
        if "." in str(row[0].value) and row[8].value != "完了":
            row[7].value = min(99, (row[7].value or 0) + 1)
            row[6].value = (row[6].value or 0) + 2
            row[8].value = "進行中"
            changed += 1
    buffer = io.BytesIO()
    book.save(buffer)
    timed(f"progress of {changed:,} tasks", buffer.getvalue())
    assert Task.objects.filter(project=project).count() == rows
    print(f"(audit events: {AuditEvent.objects.filter(project=project).count():,}; database: {workdir})")


if __name__ == "__main__":
    main()
