"""`make bench`: the page benchmark against DESIGN.md's targets (bench/pages_bench.py), on the large dataset.

SQLite by default; BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shinrai_bench runs it on PostgreSQL
(that database is dropped and recreated when it holds no seeded data). Arguments are passed on, e.g.
`.venv/bin/python bench/run.py --scale medium`. The other benchmarks run on their own:
bench/charts_bench.py, bench/excel_import_bench.py, bench/report_pdf_bench.py, bench/verifiability_bench.py,
bench/bpmn_bench.py, bench/wbs_import_bench.py; the load and soak test (50 mixed users for 5 minutes,
locust) is bench/load_bench.py (`make load`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages_bench  # noqa: E402  (the directory is not a package)

if __name__ == "__main__":
    if (url := os.environ.get("BENCH_DATABASE_URL")) and "--database-url" not in sys.argv:
        sys.argv += ["--database-url", url]
    pages_bench.main()
