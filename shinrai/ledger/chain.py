"""The ledger's hash chain: canonical serialisation, hashing and verification (pure, no writes).

Canonical serialisation of an entry (``canonical``): UTF-8 bytes of

    json.dumps({"seq", "project", "kind", "subject", "payload", "actor", "created_at", "refers_to",
                "prev_hash"}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

where ``project``, ``actor`` and ``refers_to`` are database ids (``refers_to`` null when absent) and
``created_at`` is ISO 8601 in UTC with microseconds, e.g. ``2026-11-23T12:30:00.123456+00:00``.
``hash = sha256(canonical).hexdigest()``. The first entry of a project has ``prev_hash`` = 64 zeros;
every later entry's ``prev_hash`` is the hash of the entry before it (``seq`` - 1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from .models import GENESIS_HASH, Entry


def iso_utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_fields(entry: Entry) -> dict:
    return {
        "seq": entry.seq,
        "project": entry.project_id,
        "kind": entry.kind,
        "subject": entry.subject,
        "payload": entry.payload,
        "actor": entry.actor_id,
        "created_at": iso_utc(entry.created_at),
        "refers_to": entry.refers_to_id,
        "prev_hash": entry.prev_hash,
    }


def canonical(entry: Entry) -> bytes:
    return json.dumps(
        canonical_fields(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def entry_hash(entry: Entry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class ChainState:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""


def verify_entries(entries: Iterable[Entry]) -> ChainState:
    """Check one project's entries, given in ``seq`` order: numbering, links and hashes."""
    prev = GENESIS_HASH
    count = 0
    for expected_seq, entry in enumerate(entries, start=1):
        count = expected_seq
        if entry.seq != expected_seq:
            return ChainState(False, count, entry.seq, "numbering")
        if entry.prev_hash != prev:
            return ChainState(False, count, entry.seq, "link")
        if entry_hash(entry) != entry.hash:
            return ChainState(False, count, entry.seq, "hash")
        prev = entry.hash
    return ChainState(True, count)


def verify_project(project) -> ChainState:
    """One query: the project's entries in order."""
    return verify_entries(Entry.objects.filter(project=project).order_by("seq"))
