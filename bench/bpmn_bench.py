"""Parse and render time of BPMN files: the six MIWG samples and synthetic diagrams of 500 and 2,000 tasks.

Target (docs/BPMN_RENDERING.md): a 500-shape diagram parses and renders in well under 100 ms on one core,
so an upload of a large real flow answers within a page's budget. Prints a Markdown table.

Run: .venv/bin/python bench/bpmn_bench.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shinrai.flows.bpmn import parse  # noqa: E402
from shinrai.flows.bpmn.render import render_svg  # noqa: E402
from tests.flows.bpmn_inline import task_grid  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "bpmn"


def synthetic(count: int) -> bytes:
    """``count`` tasks in rows of 25, chained by sequence flows, with Japanese names."""
    return task_grid(count, name="受注内容を確認して在庫を引き当てる {i}")


def measure(data: bytes, repeat: int) -> tuple[float, float, int]:
    """Median parse and render milliseconds, and the number of shapes of the first diagram."""
    parse_times, render_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        model = parse(data)
        parsed = time.perf_counter()
        render_svg(model)
        rendered = time.perf_counter()
        parse_times.append((parsed - started) * 1000)
        render_times.append((rendered - parsed) * 1000)
    return statistics.median(parse_times), statistics.median(render_times), len(model.diagrams[0].shapes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    cases = [(path.stem, path.read_bytes()) for path in sorted(SAMPLES.glob("*.bpmn"))]
    cases += [("synthetic 500 tasks", synthetic(500)), ("synthetic 2,000 tasks", synthetic(2000))]
    print("| file | shapes | parse ms (median) | render ms (median) |")
    print("|---|---:|---:|---:|")
    for name, data in cases:
        parse_ms, render_ms, shapes = measure(data, args.repeat)
        print(f"| {name} | {shapes} | {parse_ms:.1f} | {render_ms:.1f} |")


if __name__ == "__main__":
    main()
