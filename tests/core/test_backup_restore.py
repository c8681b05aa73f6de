"""The restore drill: data made through the services is backed up, restored into a FRESH database (SQLite:
another file; PostgreSQL: another database on the same server, dropped afterwards) and proved identical, model
by model, file by file, with the ledger chains and the audit log checked after the restore.

Tests use committed transactions (``transaction=True``): pg_dump and a second SQLite connection read only what
is committed.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from shinrai.core import backup
from shinrai.core.models import AuditEvent, Organization, Project
from shinrai.core.services import project_create
from shinrai.flows.services import flow_create
from shinrai.ledger.chain import verify_entries
from shinrai.ledger.models import Entry
from shinrai.ledger.services import ledger_append, request_create
from shinrai.troubles import services as troubles

from ..factories import MilestoneFactory, TaskFactory
from ..flows.conftest import sample_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
BPMN = sample_bytes("A.1.0")  # a BPMN file with diagram interchange (flows are stored in the DB)
MEDIA_FILES = {
    "attachments/見積書 v2.pdf": b"%PDF-1.4 fake but binary \x00\xff\xfe",
    "flows/受付.bpmn": BPMN,
    "empty.txt": b"",
}


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    for name, data in MEDIA_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def content(cast):
    """A project made through the service, tasks, a disclosed trouble, a ledger chain with a correction,
    a customer request and a BPMN flow file (stored in the database)."""
    pm, sponsor = cast.users["vendor_pm"], cast.users["customer_sponsor"]
    project_create(
        by=cast.users["vendor_manager"],
        vendor_org=cast.vendor,
        customer_org=cast.customer,
        code="NEW-1",
        name="新規案件",
        contract_amount=5_000_000,
    )
    milestone = MilestoneFactory(project=cast.own, name="要件定義完了")
    for name in ["画面設計", "帳票設計", "移行計画"]:
        TaskFactory(project=cast.own, milestone=milestone, name=name)
    trouble = troubles.trouble_create(
        by=pm,
        project=cast.own,
        kind="incident",
        title="夜間バッチが停止",
        facts="11/20 2:00 に停止",
        severity="high",
        detected_at=timezone.now() - timedelta(hours=3),
    )
    troubles.trouble_disclose(by=pm, trouble=trouble, version=trouble.version, visibility="customer")
    first = ledger_append(by=pm, project=cast.own, kind="decision", subject="方式決定", payload={"案": "A"})
    ledger_append(by=pm, project=cast.own, kind="agreement", subject="範囲合意", payload={"金額": 1200})
    ledger_append(by=pm, project=cast.own, kind="correction", subject="訂正", payload={}, refers_to=first)
    ledger_append(by=pm, project=cast.other, kind="decision", subject="別案件の決定", payload={})
    request_create(
        by=sponsor, project=cast.own, title="帳票の追加", due_at=timezone.now() + timedelta(days=5)
    )
    flow_create(by=pm, project=cast.own, title="受付業務", data=BPMN, filename="受付.bpmn")
    return cast


def model_rows(alias: str) -> dict[str, list[tuple]]:
    """Every model's rows (all concrete columns, by primary key), keyed by table."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        names = [field.attname for field in model._meta.concrete_fields]
        values = model._base_manager.using(alias).order_by("pk").values_list(*names)
        rows[model._meta.db_table] = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in values
        ]
    return rows


def file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def rewrite_archive(source: Path, target: Path, change) -> None:
    """Copy an archive member by member; ``change(name, data)`` returns new bytes (or None to drop it)."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = change(member.name, old.extractfile(member).read())
            if data is not None:
                info = tarfile.TarInfo(member.name)
                info.size = len(data)
                new.addfile(info, io.BytesIO(data))


def edit_manifest(source: Path, target: Path, edit) -> None:
    def change(name, data):
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    rewrite_archive(source, target, change)


@pytest.fixture
def archive(content, media, tmp_path):
    path = tmp_path / "backups" / "shinrai.tar.gz"
    backup.backup_create(output=path)
    return path


def test_backup_restores_into_a_fresh_database_with_identical_content(content, media, tmp_path):
    path = tmp_path / "backup.tar.gz"
    manifest = backup.backup_create(output=path)

    assert oct(path.stat().st_mode & 0o777) == "0o600"
    database = manifest["database"]
    assert database["vendor"] == connection.vendor
    assert database["tables"]["ledger_entry"]["rows"] == 5  # four appended, one for the request
    assert database["tables"]["core_auditevent"]["rows"] == AuditEvent.objects.count() > 0
    assert ["ledger", "0001_initial"] in database["migrations"]
    for name, data in MEDIA_FILES.items():
        assert manifest["files"][f"media/{name}"] == {
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }

    restored_media = tmp_path / "restored-media"
    with backup.scratch_database() as alias:
        with connections[alias].cursor() as cursor:  # a fresh database: no tables at all
            assert connections[alias].introspection.table_names(cursor) == []
        backup.backup_restore(archive=path, using=alias, media_root=restored_media)

        source, restored = model_rows("default"), model_rows(alias)
        for table, rows in source.items():
            assert restored[table] == rows, f"{table} differs after restore"
        for table in [
            "core_project",
            "progress_task",
            "troubles_trouble",
            "ledger_entry",
            "flows_flowversion",
        ]:
            assert source[table], f"{table} should hold data in this drill"
        with connection.cursor() as a, connections[alias].cursor() as b:
            assert connections[alias].introspection.table_names(b) == connection.introspection.table_names(a)
            a.execute("SELECT app, name FROM django_migrations ORDER BY id")
            b.execute("SELECT app, name FROM django_migrations ORDER BY id")
            assert b.fetchall() == a.fetchall()

        # The ledger: every chain verifies in the restored database, and it is the same chain.
        for project in Project.objects.using(alias).filter(code__in=["OWN-1", "OTHER-1"]):
            entries = list(Entry.objects.using(alias).filter(project=project).order_by("seq"))
            assert verify_entries(entries).ok
            assert [e.hash for e in entries] == list(
                Entry.objects.filter(project_id=project.pk).order_by("seq").values_list("hash", flat=True)
            )
        # The audit log: the same events, readable, in the same order.
        events = list(AuditEvent.objects.using(alias).order_by("id").values_list("action", "before", "after"))
        assert events == list(AuditEvent.objects.order_by("id").values_list("action", "before", "after"))
        assert {"project.create", "trouble.create", "flow.create"} <= {action for action, *_ in events}
        assert backup.restored_integrity(alias) == []
        assert backup.restored_differences(connections[alias], manifest) == []

    assert file_hashes(restored_media) == file_hashes(media)
    assert (restored_media / "attachments/見積書 v2.pdf").read_bytes() == MEDIA_FILES[
        "attachments/見積書 v2.pdf"
    ]


def test_the_checks_find_a_changed_row_and_a_broken_ledger(archive, tmp_path):
    """The drill's own checks must be able to fail: change the restored copy behind their back."""
    with backup.scratch_database() as alias:
        manifest = backup.backup_restore(archive=archive, using=alias, media_root=tmp_path / "m").manifest
        target = connections[alias]
        with target.cursor() as cursor:
            cursor.execute("UPDATE core_project SET name = 'changed' WHERE code = 'OWN-1'")
            cursor.execute("UPDATE ledger_entry SET subject = 'rewritten' WHERE seq = 2")

        assert backup.restored_differences(target, manifest) == [
            "table core_project: content differs from the backup",
            "table ledger_entry: content differs from the backup",
        ]
        assert backup.restored_integrity(alias) == ["ledger of OWN-1 broken at entry #2 (hash)"]


def test_restore_refuses_a_damaged_archive_before_touching_anything(archive, tmp_path):
    damaged = tmp_path / "damaged.tar.gz"
    rewrite_archive(archive, damaged, lambda name, data: b"X" + data if name == "media/empty.txt" else data)
    media_root = tmp_path / "untouched"

    with backup.scratch_database() as alias:
        with pytest.raises(backup.BackupError, match=r"Checksum mismatch in the archive: media/empty.txt"):
            backup.backup_restore(archive=damaged, using=alias, media_root=media_root)
        with connections[alias].cursor() as cursor:
            assert connections[alias].introspection.table_names(cursor) == []
    assert not media_root.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda name, data: None if name.startswith("database/") else data, "does not match its manifest"),
        (lambda name, data: data.replace(b'"format": 1', b'"format": 9'), "no manifest of backup format 1"),
    ],
)
def test_restore_refuses_an_incomplete_or_unknown_archive(archive, tmp_path, change, message):
    broken = tmp_path / "broken.tar.gz"
    rewrite_archive(archive, broken, change)
    with backup.scratch_database() as alias, pytest.raises(backup.BackupError, match=message):
        backup.backup_restore(archive=broken, using=alias, media_root=tmp_path / "m")


def test_restore_refuses_members_outside_the_archive_folder(db, tmp_path):
    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(hostile, "w:gz") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    with backup.scratch_database() as alias, pytest.raises(backup.BackupError, match="unexpected entry"):
        backup.backup_restore(archive=hostile, using=alias, media_root=tmp_path / "m" / "media")
    assert not (tmp_path / "m" / "escaped.txt").exists()
    assert not (tmp_path / "escaped.txt").exists()


def test_restore_refuses_a_backup_from_a_newer_shinrai(archive, tmp_path):
    newer = tmp_path / "newer.tar.gz"
    edit_manifest(archive, newer, lambda m: m["database"]["migrations"].append(["core", "9999_future"]))
    with (
        backup.scratch_database() as alias,
        pytest.raises(backup.BackupError, match="made by a newer Shinrai"),
    ):
        backup.backup_restore(archive=newer, using=alias, media_root=tmp_path / "m")


def test_restore_refuses_another_database_vendor(archive, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    foreign = tmp_path / "foreign.tar.gz"

    def change(name, data):
        if name == backup.MANIFEST:
            manifest = json.loads(data)
            manifest["files"][backup.DATABASE_MEMBERS[other]] = manifest["files"].pop(
                manifest["database"]["member"]
            )
            manifest["database"].update(vendor=other, member=backup.DATABASE_MEMBERS[other])
            return json.dumps(manifest).encode()
        return data

    with tarfile.open(archive) as old, tarfile.open(foreign, "w:gz") as new:
        for member in old:
            data = change(member.name, old.extractfile(member).read())
            name = backup.DATABASE_MEMBERS[other] if member.name.startswith("database/") else member.name
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    with (
        backup.scratch_database() as alias,
        pytest.raises(backup.BackupError, match=f"is of a {other} database"),
    ):
        backup.backup_restore(archive=foreign, using=alias, media_root=tmp_path / "m")


def test_restore_refuses_a_non_empty_database_unless_told_to_replace_it(archive, tmp_path):
    projects = list(Project.objects.order_by("pk").values_list("code", "name"))
    with pytest.raises(backup.BackupError, match="target database is not empty. Restore with --yes"):
        backup.backup_restore(archive=archive, media_root=tmp_path / "m")
    assert list(Project.objects.order_by("pk").values_list("code", "name")) == projects

    with backup.scratch_database() as alias:
        media_root = tmp_path / "restored"
        manifest = backup.backup_restore(archive=archive, using=alias, media_root=media_root).manifest
        Organization.objects.using(alias).filter(name="顧客C1").update(name="changed")
        (media_root / "stray.txt").write_text("not in the backup")
        with pytest.raises(backup.BackupError, match="not empty"):
            backup.backup_restore(archive=archive, using=alias, media_root=media_root)
        assert Organization.objects.using(alias).filter(name="changed").exists()

        backup.backup_restore(archive=archive, using=alias, media_root=media_root, replace=True)

        assert backup.restored_differences(connections[alias], manifest) == []
        assert not Organization.objects.using(alias).filter(name="changed").exists()
        assert file_hashes(media_root) == {
            name: hashlib.sha256(data).hexdigest() for name, data in MEDIA_FILES.items()
        }


def test_restore_refuses_non_empty_media_unless_told(archive, tmp_path):
    media_root = tmp_path / "busy"
    media_root.mkdir()
    (media_root / "mine.txt").write_text("keep me")
    refused = pytest.raises(backup.BackupError, match="is not empty. Restore with --yes to replace its files")
    with backup.scratch_database() as alias, refused:
        backup.backup_restore(archive=archive, using=alias, media_root=media_root)
    assert (media_root / "mine.txt").read_text() == "keep me"


def test_commands_back_up_drill_and_refuse_to_overwrite(content, media, tmp_path, capsys):
    path = tmp_path / "cmd.tar.gz"
    call_command("backup", "--output", str(path))
    out = capsys.readouterr().out
    assert f"Backup written: {path}" in out
    assert f"{len(MEDIA_FILES)} media files" in out

    call_command("restore", str(path), "--drill")
    out = capsys.readouterr().out
    assert "ledger hash chains intact; audit log readable" in out
    assert "Restore drill passed: the backup restores to identical data." in out

    with pytest.raises(CommandError, match="target database is not empty. Restore with --yes"):
        call_command("restore", str(path))


def test_drill_command_fails_on_a_damaged_archive(archive, tmp_path, capsys):
    damaged = tmp_path / "damaged.tar.gz"
    rewrite_archive(
        archive, damaged, lambda name, data: data + b"!" if name.startswith("database/") else data
    )
    with pytest.raises(CommandError, match=r"Restore drill failed: 1 difference\(s\)"):
        call_command("restore", str(damaged), "--drill")
    assert "Checksum mismatch in the archive: database/" in capsys.readouterr().err


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL pass only: pg_dump is used there")
def test_a_missing_pg_dump_is_named_with_the_package_to_install(content, monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump was not found.*postgresql-client"):
        backup.backup_create(output=tmp_path / "x.tar.gz")
    assert not (tmp_path / "x.tar.gz").exists()


def test_restore_drill_script_passes(content, media, tmp_path):
    """scripts/restore-drill against a database of its own (a copy of this test's, or the test database)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SHINRAI_VAR_DIR=str(tmp_path / "var"), SHINRAI_SECRET_KEY="drill-" * 10)
    (tmp_path / "var").mkdir()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(tmp_path / "var" / "shinrai.sqlite3")
        source = backup._plain_sqlite(connection)
        source.backup(copy)
        source.close()
        copy.close()
    else:
        s = connection.settings_dict  # the test database itself: the script only reads it
        login = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{login}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    media.rename(tmp_path / "var" / "media")

    result = subprocess.run(
        [str(ROOT / "scripts" / "restore-drill")], env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stderr
    assert "Backup written:" in result.stdout
    assert "media: 3 files, sha256 identical" in result.stdout
    assert "Restore drill passed" in result.stdout
