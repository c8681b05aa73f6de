"""Throughput of the verifiability checker on one core: the labelled evaluation sentences (mixed Japanese and
English) repeated to about 20,000, checked one by one. Target: ≥ 2,000 sentences per second.

Run: .venv/bin/python bench/verifiability_bench.py [--sentences N]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from shinrai.requirements.checker.evaluation import load_examples
from shinrai.requirements.verifiability import check

EVAL_SET = Path(__file__).resolve().parents[1] / "tests" / "requirements" / "verifiability_eval.tsv"


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=20_000)
    args = parser.parse_args()
    print(pin_to_one_core())

    texts = [example.text for example in load_examples(EVAL_SET)]
    workload = (texts * (args.sentences // len(texts) + 1))[: args.sentences]
    japanese = sum(1 for example in load_examples(EVAL_SET) if example.lang == "ja") / len(texts)

    started = time.perf_counter()
    check("画面は約3秒で表示されること。")  # the first Japanese candidate loads the dictionary
    print(f"first call (dictionary load): {(time.perf_counter() - started) * 1000:.0f} ms")

    started = time.perf_counter()
    flagged = sum(1 for text in workload if check(text))
    elapsed = time.perf_counter() - started
    print(f"{len(workload):,} sentences ({japanese:.0%} Japanese), {flagged:,} flagged, {elapsed:.2f} s")
    print(f"throughput: {len(workload) / elapsed:,.0f} sentences/second (target ≥ 2,000)")


if __name__ == "__main__":
    main()
