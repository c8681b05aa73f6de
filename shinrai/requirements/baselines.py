"""Baseline snapshots, their content hash, and the diff of the current requirements against a baseline.

Plain module: works on dictionaries, so that it can be tested without a database.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field

# Fields of a requirement that a baseline fixes; a change to any of them needs re-approval.
SNAPSHOT_FIELDS = ("text", "kind", "category", "priority", "goal", "criteria")

# Word-level diff that also works for Japanese, which has no spaces: runs of one script form a "word".
_TOKEN = re.compile(
    r"[A-Za-z0-9_.%％]+|[\u4e00-\u9fff々〆]+|[\u3040-\u309f]+|[\u30a0-\u30ffー]+|[０-９Ａ-Ｚａ-ｚ]+|\s+|."
)


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Segment:
    op: str  # "same", "added", "removed"
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    old_tokens, new_tokens = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    segments: list[Segment] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(old_tokens[a1:a2])))
            continue
        if a2 > a1:
            segments.append(Segment("removed", "".join(old_tokens[a1:a2])))
        if b2 > b1:
            segments.append(Segment("added", "".join(new_tokens[b1:b2])))
    return segments


@dataclass
class Change:
    ref: str
    kind: str  # "added", "changed", "removed"
    fields: list[str] = field(default_factory=list)
    text_diff: list[Segment] = field(default_factory=list)
    old: dict | None = None
    new: dict | None = None
    # Filled by the caller in the reader's language when the criteria changed.
    criteria_old: list[str] = field(default_factory=list)
    criteria_new: list[str] = field(default_factory=list)


def _ref_order(ref: str) -> tuple[int, str]:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (int(digits) if digits else 0, ref)


def diff(baseline: dict, current: dict) -> list[Change]:
    """Requirements added, changed or removed since the baseline, in requirement order."""
    changes = []
    for ref in sorted(set(baseline) | set(current), key=_ref_order):
        old, new = baseline.get(ref), current.get(ref)
        if old is None:
            changes.append(Change(ref, "added", new=new))
        elif new is None:
            changes.append(Change(ref, "removed", old=old))
        else:
            changed = [name for name in SNAPSHOT_FIELDS if old.get(name) != new.get(name)]
            if changed:
                text_diff = word_diff(old["text"], new["text"]) if "text" in changed else []
                changes.append(Change(ref, "changed", changed, text_diff, old, new))
    return changes
