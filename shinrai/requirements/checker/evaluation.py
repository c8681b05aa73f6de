"""Precision and recall of the checker on a labelled set of requirement sentences.

The set is a UTF-8 TSV with a header and the columns ``split``, ``lang``, ``verifiable`` (true/false),
``categories`` (comma-separated expected category codes, empty when verifiable) and ``text``. Labels come from
the meaning of each sentence, never from the checker's output. Splits: ``dev`` was written alongside the
lexicon; ``tuned`` were held-out batches whose misses later widened the lexicon; ``holdout`` was written after
the word lists were frozen (its misses then motivated the general rule families, so it is tuned-on too);
``holdout2`` was written blind before the general families and measured before and after them (its errors were
then looked at, so its final scores are optimistic); ``holdout3`` was written blind after the last change and
measured once: the least optimistic numbers.

Sentence level, per language, positive class = "not verifiable": a sentence is *flagged* when the checker
reports at least one finding, *truly vague* when labelled not verifiable.
precision = |flagged ∧ truly vague| / |flagged|; recall = |flagged ∧ truly vague| / |truly vague|.
Category accuracy (secondary) = share of sentences whose reported category set equals the labelled set.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .engine import check
from .explanations import CATEGORIES


@dataclass(frozen=True)
class Example:
    split: str
    lang: str
    verifiable: bool
    categories: frozenset[str]
    text: str


def load_examples(path: str | Path) -> list[Example]:
    """The labelled sentences of the TSV at ``path``; raises ValueError on an unknown category."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    examples = []
    for row in rows:
        categories = frozenset(c for c in row["categories"].split(",") if c)
        if unknown := categories - set(CATEGORIES):
            raise ValueError(f"unknown categories {sorted(unknown)} in: {row['text']}")
        examples.append(
            Example(
                row.get("split") or "dev", row["lang"], row["verifiable"] == "true", categories, row["text"]
            )
        )
    return examples


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def evaluate(path: str | Path, *, split: str | None = None) -> dict:
    """Scores per language ("ja", "en") and overall ("all"), plus the sentences the checker got wrong.

    ``split`` (dev, tuned, holdout, holdout2, holdout3) restricts the evaluation to one part of the set; None
    uses all of it.

    Each score: n, tp, fp, fn, tn, precision, recall, category_accuracy. ``errors`` lists
    {"lang", "text", "expected", "found", "kind"} with kind "false_positive", "false_negative" or "category".
    """
    examples = [e for e in load_examples(path) if split is None or e.split == split]
    counts: dict[str, dict[str, int]] = {}
    errors = []
    for example in examples:
        found = frozenset(finding.category for finding in check(example.text))
        flagged, vague = bool(found), not example.verifiable
        for key in (example.lang, "all"):
            bucket = counts.setdefault(key, {"n": 0, "tp": 0, "fp": 0, "fn": 0, "tn": 0, "category_ok": 0})
            bucket["n"] += 1
            bucket[("tp" if vague else "fp") if flagged else ("fn" if vague else "tn")] += 1
            bucket["category_ok"] += found == example.categories
        if flagged != vague or found != example.categories:
            kind = "category" if flagged == vague else ("false_positive" if flagged else "false_negative")
            errors.append(
                {
                    "lang": example.lang,
                    "text": example.text,
                    "expected": sorted(example.categories),
                    "found": sorted(found),
                    "kind": kind,
                }
            )
    result: dict = {}
    for key, bucket in counts.items():
        result[key] = {
            **{name: bucket[name] for name in ("n", "tp", "fp", "fn", "tn")},
            "precision": _ratio(bucket["tp"], bucket["tp"] + bucket["fp"]),
            "recall": _ratio(bucket["tp"], bucket["tp"] + bucket["fn"]),
            "category_accuracy": _ratio(bucket["category_ok"], bucket["n"]),
        }
    result["errors"] = errors
    return result


def format_table(result: dict) -> str:
    """The scores as a small fixed-width table, one row per language."""
    lines = [
        f"{'lang':<5}{'n':>5}{'TP':>5}{'FP':>5}{'FN':>5}{'TN':>5}{'precision':>11}{'recall':>8}{'cat.acc':>9}"
    ]
    for key in ("ja", "en", "all"):
        if key not in result:
            continue
        s = result[key]
        lines.append(
            f"{key:<5}{s['n']:>5}{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}{s['tn']:>5}"
            f"{s['precision']:>11.3f}{s['recall']:>8.3f}{s['category_accuracy']:>9.3f}"
        )
    return "\n".join(lines)
