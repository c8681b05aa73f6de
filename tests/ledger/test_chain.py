"""The ledger's hash chain: numbering, links, hashes, tamper detection, the verify-ledger command."""

import datetime as dt
import hashlib
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from shinrai.ledger import chain
from shinrai.ledger.models import GENESIS_HASH, Entry
from shinrai.ledger.services import ledger_append


def _append(cast, n=1, project=None, **fields):
    entries = []
    for i in range(n):
        entries.append(
            ledger_append(
                by=cast.users["customer_sponsor"],
                project=project or cast.own,
                kind=fields.get("kind", "decision"),
                subject=fields.get("subject", f"決定 {i + 1}"),
                payload=fields.get("payload", {"option": "案A", "金額": 1000 + i}),
            )
        )
    return entries


def test_entries_are_numbered_and_linked_per_project(cast):
    a1, a2, a3 = _append(cast, 3)
    (b1,) = _append(cast, 1, project=cast.other)
    assert [a1.seq, a2.seq, a3.seq, b1.seq] == [1, 2, 3, 1]
    assert a1.prev_hash == GENESIS_HASH and b1.prev_hash == GENESIS_HASH
    assert a2.prev_hash == a1.hash and a3.prev_hash == a2.hash
    assert chain.verify_project(cast.own) == chain.ChainState(True, 3)


def test_hash_is_sha256_of_the_documented_canonical_form(cast):
    (entry,) = _append(cast, 1, payload={"b": 1, "a": "日本語"})
    entry = Entry.objects.get(pk=entry.pk)  # as read back from the database
    expected_text = json.dumps(
        {
            "actor": cast.users["customer_sponsor"].pk,
            "created_at": entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "kind": "decision",
            "payload": {"a": "日本語", "b": 1},
            "prev_hash": "0" * 64,
            "project": cast.own.pk,
            "refers_to": None,
            "seq": 1,
            "subject": "決定 1",
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert '"a":"日本語"' in expected_text  # not escaped
    assert entry.hash == hashlib.sha256(expected_text.encode()).hexdigest()
    assert entry.created_at.isoformat().endswith("+00:00")


def test_payload_dates_are_stored_as_hashed(cast):
    entry = ledger_append(
        by=cast.users["vendor_pm"],
        project=cast.own,
        kind="agreement",
        subject="納期合意",
        payload={"due": dt.date(2026, 12, 1)},
    )
    assert Entry.objects.get(pk=entry.pk).payload == {"due": "2026-12-01"}
    assert chain.verify_project(cast.own).ok


def test_entries_cannot_be_changed_or_deleted_through_the_orm(cast):
    (entry,) = _append(cast, 1)
    entry.subject = "書き換え"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        Entry.objects.filter(pk=entry.pk).update(subject="x")
    with pytest.raises(PermissionError):
        Entry.objects.all().delete()


def test_bad_input_is_refused(cast):
    (entry,) = _append(cast, 1)
    (foreign_entry,) = _append(cast, 1, project=cast.foreign)
    user = cast.users["vendor_pm"]
    with pytest.raises(ValidationError):
        ledger_append(by=user, project=cast.own, kind="gossip", subject="x", payload={})
    with pytest.raises(ValidationError):
        ledger_append(by=user, project=cast.own, kind="decision", subject="  ", payload={})
    with pytest.raises(ValidationError):
        ledger_append(by=user, project=cast.own, kind="correction", subject="訂正", payload={})
    with pytest.raises(ValidationError):
        ledger_append(
            by=user, project=cast.own, kind="correction", subject="訂正", payload={}, refers_to=foreign_entry
        )
    correction = ledger_append(
        by=user, project=cast.own, kind="correction", subject="訂正", payload={}, refers_to=entry
    )
    assert correction.seq == 2 and correction.refers_to == entry
    assert Entry.objects.filter(project=cast.own).count() == 2


def _tamper(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("UPDATE ledger_entry SET subject = %s WHERE id = %s", "hash"),
        ("UPDATE ledger_entry SET payload = %s WHERE id = %s", "hash"),
        ("UPDATE ledger_entry SET prev_hash = %s WHERE id = %s", "link"),
    ],
)
def test_tampering_with_a_stored_row_is_detected(cast, sql, reason):
    entries = _append(cast, 4)
    value = {"hash": "改ざん", "link": "f" * 64}.get(reason, "改ざん")
    if "payload" in sql:
        value = json.dumps({"option": "案B"})
    _tamper(sql, [value, entries[1].pk])
    state = chain.verify_project(cast.own)
    assert state.ok is False
    assert state.broken_seq == 2
    assert state.reason == reason


def test_recomputing_the_hash_of_a_tampered_row_breaks_the_next_link(cast):
    entries = _append(cast, 3)
    forged = Entry.objects.get(pk=entries[0].pk)
    forged.subject = "別の決定"
    _tamper(
        "UPDATE ledger_entry SET subject = %s, hash = %s WHERE id = %s",
        ["別の決定", chain.entry_hash(forged), entries[0].pk],
    )
    state = chain.verify_project(cast.own)
    assert (state.ok, state.broken_seq, state.reason) == (False, 2, "link")


def test_a_removed_entry_is_detected(cast):
    entries = _append(cast, 3)
    _tamper("DELETE FROM ledger_entry WHERE id = %s", [entries[1].pk])
    state = chain.verify_project(cast.own)
    assert (state.ok, state.broken_seq, state.reason) == (False, 3, "numbering")


def test_verify_ledger_command(cast, capsys):
    entries = _append(cast, 3)
    _append(cast, 2, project=cast.other)
    call_command("verify-ledger")
    out = capsys.readouterr().out
    assert "OWN-1: OK (3 entries)" in out and "OTHER-1: OK (2 entries)" in out

    _tamper("UPDATE ledger_entry SET subject = %s WHERE id = %s", ["改ざん", entries[2].pk])
    with pytest.raises(CommandError, match=r"OWN-1 #3"):
        call_command("verify-ledger")
    assert "OWN-1: BROKEN at entry #3" in capsys.readouterr().err
    call_command("verify-ledger", "--project", "OTHER-1")  # the other chain is still intact
    with pytest.raises(CommandError, match="NOPE"):
        call_command("verify-ledger", "--project", "NOPE")


def test_two_transactions_one_after_the_other_keep_the_chain(cast):
    with transaction.atomic():
        first = _append(cast, 1)[0]
    with transaction.atomic():
        second = _append(cast, 1)[0]
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert chain.verify_project(cast.own).ok


def test_append_locks_the_project_row(cast, monkeypatch):
    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model.__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    _append(cast, 1)
    assert locked == ["Project"]


def test_a_forked_chain_is_refused_by_the_database(cast):
    """Two appends that read the same last entry (what the lock prevents) cannot both be stored."""
    (first,) = _append(cast, 1)
    twin = Entry(
        project=cast.own,
        seq=1,
        kind="decision",
        subject="同時の追記",
        payload={},
        actor=cast.users["vendor_pm"],
        prev_hash=GENESIS_HASH,
    )
    twin.hash = chain.entry_hash(twin)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    errors = []

    def worker():
        try:
            _append(cast, 10)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(Entry.objects.filter(project=cast.own).values_list("seq", flat=True)) == list(range(1, 21))
    assert chain.verify_project(cast.own).ok
