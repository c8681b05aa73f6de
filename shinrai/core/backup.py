"""Backup and restore: one tar.gz with the database, the media files and a manifest that proves both.

Archive layout (``FORMAT`` 1)::

    manifest.json                 format, Shinrai version, created_at, database vendor, migrations,
                                  rows and a content digest per table, size and sha256 of every file
    database/shinrai.sqlite3      SQLite: a copy made with the online backup API (consistent while running)
    database/shinrai.pgdump       PostgreSQL: ``pg_dump -Fc`` of one snapshot
    media/<path>                  every file under MEDIA_ROOT

The database is kept in its vendor's own format (exact bytes, sequences, constraints), so a backup restores
into the same vendor only. Row counts and digests are taken from the very snapshot that is archived, so a
restore can prove it reproduced the backup even when the live database has moved on since.

Restore order: verify every checksum of the archive, check the target is empty (or ``replace``), restore the
database in one step (SQLite backup API; ``pg_restore --single-transaction``), verify the restored tables
against the manifest, and only then swap in the media files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

import shinrai

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/shinrai.sqlite3", "postgresql": "database/shinrai.pgdump"}
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class DrillReport:
    """What a restore drill checked, one line per check, and what differed (empty when identical)."""

    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Helpers ------------------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _canonical(value):
    """A value as the same text on every run (digests compare the backup's snapshot with a restore)."""
    if isinstance(value, memoryview | bytes | bytearray):
        return {"bytes": bytes(value).hex()}
    if isinstance(value, dt.datetime | dt.date | dt.time | Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _list_tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def _order_columns(cursor, vendor: str, table: str) -> str:
    """ORDER BY the primary key (every Django table has one), else by every column."""
    if vendor == "sqlite":
        cursor.execute(f"PRAGMA table_info({_quote(table)})")
        info = cursor.fetchall()  # (cid, name, type, notnull, default, pk)
        keys = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        count = len(info)
    else:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
            " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
            [_quote(table)],
        )
        keys = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")  # noqa: S608 (quoted catalog name)
        count = len(cursor.description)
    if keys:
        return ", ".join(_quote(key) for key in keys)
    return ", ".join(str(position) for position in range(1, count + 1))


def table_stats(raw, vendor: str) -> dict[str, dict]:
    """Rows and a sha256 of the ordered rows of every table, read through a DB-API connection.

    On PostgreSQL the caller holds a transaction and rows stream through a server-side cursor, so a table
    of millions of rows is never held in memory at once.
    """
    stats = {}
    catalog = raw.cursor()
    for table in _list_tables(catalog, vendor):
        order = _order_columns(catalog, vendor, table)
        rows_cursor = raw.cursor() if vendor == "sqlite" else raw.cursor(name="shinrai_backup_stats")
        rows_cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # noqa: S608 (catalog names)
        digest = hashlib.sha256()
        rows = 0
        while batch := rows_cursor.fetchmany(2000):
            for row in batch:
                digest.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False).encode())
                digest.update(b"\n")
            rows += len(batch)
        rows_cursor.close()
        stats[table] = {"rows": rows, "sha256": digest.hexdigest()}
    catalog.close()
    return stats


def _migrations(cursor, tables) -> list[list[str]]:
    if "django_migrations" not in tables:
        raise BackupError(
            "The database has not been set up (run `shinrai migrate`): there is nothing to back up."
        )
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def _pg_env(settings_dict: dict) -> dict[str, str]:
    """Environment for pg_dump/pg_restore: Django's own psql client settings plus host, port, user, db."""
    from django.db.backends.postgresql.client import DatabaseClient

    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    for key, name in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")]:
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found. PostgreSQL backups need the PostgreSQL client tools "
            "(Debian/Ubuntu: apt-get install postgresql-client, of the server's major version or newer)."
        )
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.returncode}")


def _connection(using: str | BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    return using if isinstance(using, BaseDatabaseWrapper) else connections[using]


def _plain_sqlite(connection: BaseDatabaseWrapper) -> sqlite3.Connection:
    """A second connection to the same SQLite database without Django's type converters, so that values
    read back exactly as stored (the digests of a backup and of its restore compare the same bytes)."""
    params = connection.get_connection_params()
    params["detect_types"] = 0
    return sqlite3.connect(**params)


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# --- Backup -------------------------------------------------------------------------------------------------


def _snapshot_sqlite(connection: BaseDatabaseWrapper, target: Path) -> dict:
    source, copy = _plain_sqlite(connection), sqlite3.connect(target)
    try:
        source.backup(copy)  # the online backup API: a consistent copy while others write
        cursor = copy.cursor()
        if (check := cursor.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            raise BackupError(f"The SQLite database failed its integrity check: {check}")
        tables = table_stats(copy, "sqlite")
        return {"tables": tables, "migrations": _migrations(cursor, tables)}
    finally:
        source.close()
        copy.close()


def _snapshot_postgresql(connection: BaseDatabaseWrapper, target: Path) -> dict:
    pg_dump = _pg_tool("pg_dump")
    # One REPEATABLE READ transaction exports its snapshot; pg_dump reads that same snapshot, so the counts
    # and digests in the manifest describe exactly what is in the dump.
    snapshot = connection.copy()
    try:
        snapshot.ensure_connection()
        with snapshot.connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            stats = table_stats(snapshot.connection, "postgresql")
            migrations = _migrations(cursor, stats)
            command = [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}"]
            _run(command, _pg_env(connection.settings_dict))
            cursor.execute("ROLLBACK")
    finally:
        snapshot.close()
    return {"tables": stats, "migrations": migrations}


def backup_create(*, output: Path, using: str | BaseDatabaseWrapper = "default", media_root=None) -> dict:
    """Write a backup archive to ``output`` (atomically: a half-written archive never has the final name).

    Returns the manifest. The archive holds password hashes and token digests: it is written readable by
    its owner only.
    """
    connection = _connection(using)
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    media_root = Path(media_root or settings.MEDIA_ROOT)
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        database_file = Path(work) / "database"
        snapshot = (_snapshot_sqlite if vendor == "sqlite" else _snapshot_postgresql)(
            connection, database_file
        )
        members = [(DATABASE_MEMBERS[vendor], database_file)]
        members += [
            (MEDIA_PREFIX + p.relative_to(media_root).as_posix(), p) for p in _media_files(media_root)
        ]
        files = {}
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            for name, path in members:
                # Hash the very bytes that go into the archive: a media file written meanwhile cannot make
                # the manifest disagree with the archive.
                with path.open("rb") as handle:
                    info = archive.gettarinfo(fileobj=handle, arcname=name)
                    reader = _HashingReader(handle)
                    archive.addfile(info, reader)
                files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}
            manifest = {
                "format": FORMAT,
                "shinrai_version": shinrai.__version__,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": {"vendor": vendor, "member": DATABASE_MEMBERS[vendor], **snapshot},
                "files": files,
            }
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)  # last: it describes everything before it
            info.size, info.mode, info.mtime = len(data), 0o600, int(dt.datetime.now(dt.UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)
        os.replace(partial, output)
    return manifest


class _HashingReader:
    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


# --- Reading and checking an archive ------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def archive_extract(archive: Path, into: Path) -> dict:
    """Check the archive against its manifest and extract it into ``into``; returns the manifest.

    Nothing outside ``into`` is touched. Refuses links, unexpected or missing members and any checksum
    mismatch, so a damaged or tampered archive is rejected before a restore changes anything.
    """
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = None
            seen: dict[str, str] = {}
            for member in tar:
                if not member.isfile() or not _safe_member_name(member.name) or member.name in seen:
                    raise BackupError(f"The archive holds an unexpected entry: {member.name!r}")
                handle = tar.extractfile(member)
                if member.name == MANIFEST:
                    if member.size > 64 * CHUNK:
                        raise BackupError(f"The manifest of {archive} is implausibly large.")
                    manifest = json.loads(handle.read().decode())
                    seen[MANIFEST] = ""
                    continue
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                seen[member.name] = digest.hexdigest()
    except (OSError, tarfile.TarError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{archive} is not a readable Shinrai backup: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has no manifest of backup format {FORMAT}.")
    expected = {name: meta["sha256"] for name, meta in manifest["files"].items()}
    seen.pop(MANIFEST)
    if set(seen) != set(expected):
        missing, extra = sorted(set(expected) - set(seen)), sorted(set(seen) - set(expected))
        raise BackupError(f"The archive does not match its manifest (missing {missing}, unlisted {extra}).")
    if bad := sorted(name for name, digest in seen.items() if expected[name] != digest):
        raise BackupError(f"Checksum mismatch in the archive: {', '.join(bad)}. The backup is damaged.")
    if manifest["database"]["member"] != DATABASE_MEMBERS.get(manifest["database"]["vendor"]):
        raise BackupError("The manifest names an unknown database format.")
    return manifest


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup made by a newer Shinrai; return the migrations this code would still apply."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    archived = {tuple(item) for item in manifest["database"]["migrations"]}
    unknown = sorted(archived - known)
    if unknown:
        raise BackupError(
            f"The backup was made by a newer Shinrai (migrations {unknown[:3]} are unknown here). "
            "Install that version (or newer) and restore again."
        )
    return sorted(f"{app}.{name}" for app, name in known - archived)


# --- Restore ------------------------------------------------------------------------------------------------


def database_is_empty(connection: BaseDatabaseWrapper) -> bool:
    """True when the database holds no one's data: no people, organizations, projects or audit events.

    A fresh or freshly migrated database is empty (migrations themselves add rows, e.g. survey templates).
    """
    from shinrai.core.models import AuditEvent, Organization, Project, User

    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for model in (User, Organization, Project, AuditEvent):
            table = model._meta.db_table
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return False
    return True


def _restore_sqlite(connection: BaseDatabaseWrapper, source: Path) -> None:
    if connection.in_atomic_block:
        raise BackupError("Restore cannot run inside a transaction.")
    copy, target = sqlite3.connect(source), _plain_sqlite(connection)
    try:
        # One step (pages=-1) inside one write transaction on the target: all of it or nothing.
        copy.backup(target)
    finally:
        copy.close()
        target.close()


def _restore_postgresql(connection: BaseDatabaseWrapper, source: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    env = _pg_env(connection.settings_dict)
    _run([pg_restore, "--list", str(source)], env)  # readable before anything is dropped
    connection.close()  # our own idle session must not hold locks that --clean waits for
    command = [pg_restore, "--single-transaction", "--exit-on-error", "--clean", "--if-exists"]
    command += ["--no-owner", "--no-privileges", f"--dbname={connection.settings_dict['NAME']}", str(source)]
    _run(command, env)


def restored_differences(connection: BaseDatabaseWrapper, manifest: dict) -> list[str]:
    """Tables whose rows or content differ from the manifest's snapshot (empty: identical)."""
    if connection.vendor == "sqlite":
        plain = _plain_sqlite(connection)
        try:
            actual = table_stats(plain, "sqlite")
        finally:
            plain.close()
    else:
        connection.ensure_connection()
        with connection.connection.transaction():  # server-side cursors live in a transaction
            actual = table_stats(connection.connection, connection.vendor)
    expected = manifest["database"]["tables"]
    problems = [f"table {name} is missing" for name in sorted(set(expected) - set(actual))]
    problems += [f"table {name} is not in the backup" for name in sorted(set(actual) - set(expected))]
    for name in sorted(set(expected) & set(actual)):
        want, got = expected[name], actual[name]
        if want["rows"] != got["rows"]:
            problems.append(f"table {name}: {got['rows']} rows, the backup has {want['rows']}")
        elif want["sha256"] != got["sha256"]:
            problems.append(f"table {name}: content differs from the backup")
    return problems


def _media_differences(root: Path, manifest: dict) -> list[str]:
    expected = {
        name[len(MEDIA_PREFIX) :]: meta["sha256"]
        for name, meta in manifest["files"].items()
        if name.startswith(MEDIA_PREFIX)
    }
    actual = {p.relative_to(root).as_posix(): _sha256_file(p) for p in _media_files(root)}
    problems = [f"file {name} is missing" for name in sorted(set(expected) - set(actual))]
    problems += [f"file {name} is not in the backup" for name in sorted(set(actual) - set(expected))]
    problems += [f"file {n} differs" for n in sorted(set(expected) & set(actual)) if expected[n] != actual[n]]
    return problems


def _swap_media(extracted: Path, media_root: Path) -> None:
    aside = media_root.with_name(f".{media_root.name}-before-restore-{uuid.uuid4().hex[:8]}")
    if media_root.exists():
        os.replace(media_root, aside)
    if extracted.exists():
        os.replace(extracted, media_root)
    else:
        media_root.mkdir()
    shutil.rmtree(aside, ignore_errors=True)


@dataclass
class RestoreResult:
    manifest: dict
    pending_migrations: list[str]


def backup_restore(
    *,
    archive: Path,
    using: str | BaseDatabaseWrapper = "default",
    media_root=None,
    replace: bool = False,
) -> RestoreResult:
    """Restore ``archive`` into the database ``using`` and ``media_root``; refuses a non-empty target
    unless ``replace``. The archive is fully verified first; the database is restored in one transaction;
    the media files are swapped in only after the restored database matched the manifest.
    """
    connection = _connection(using)
    media_root = Path(media_root or settings.MEDIA_ROOT).resolve()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as work:
        work = Path(work)
        manifest = archive_extract(Path(archive), work)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                f"The backup is of a {vendor} database; the target database is {connection.vendor}. "
                "Restore into the same kind of database."
            )
        pending = _check_migrations(manifest)
        database_file = work / manifest["database"]["member"]
        if vendor == "sqlite":
            with sqlite3.connect(database_file) as check:  # prove the copy before the target is touched
                if problems := _stats_problems(table_stats(check, "sqlite"), manifest):
                    raise BackupError(
                        "The archived database does not match its manifest: " + "; ".join(problems)
                    )
        if not replace:
            if not database_is_empty(connection):
                raise BackupError(
                    "The target database is not empty. Restore with --yes to replace its contents."
                )
            if _media_files(media_root):
                raise BackupError(f"{media_root} is not empty. Restore with --yes to replace its files.")
        (_restore_sqlite if vendor == "sqlite" else _restore_postgresql)(connection, database_file)
        if problems := restored_differences(connection, manifest):
            raise BackupError("The restored database differs from the backup: " + "; ".join(problems))
        _swap_media(work / MEDIA_PREFIX.rstrip("/"), media_root)
    return RestoreResult(manifest=manifest, pending_migrations=pending)


def _stats_problems(actual: dict, manifest: dict) -> list[str]:
    expected = manifest["database"]["tables"]
    return [name for name in sorted(set(expected) | set(actual)) if expected.get(name) != actual.get(name)]


# --- The drill: restore into a scratch database and prove it identical -------------------------------------


@contextmanager
def scratch_database(using: str | BaseDatabaseWrapper = "default") -> Iterator[str]:
    """A fresh, empty database of the same vendor, reachable as connection ``alias``; dropped on exit.

    SQLite: a file in a temporary directory. PostgreSQL: ``shinrai_drill_<random>`` on the same server
    (the database user needs CREATEDB).
    """
    connection = _connection(using)
    alias = f"drill_{uuid.uuid4().hex[:12]}"
    settings_dict = {**connection.settings_dict, "TEST": {**connection.settings_dict.get("TEST", {})}}
    with tempfile.TemporaryDirectory(prefix="shinrai-drill-") as work:
        if connection.vendor == "sqlite":
            settings_dict["NAME"] = str(Path(work) / "restored.sqlite3")
        elif connection.vendor == "postgresql":
            settings_dict["NAME"] = f"shinrai_{alias}"
            try:
                with connection._nodb_cursor() as cursor:  # Django's own way in to create a database
                    cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(settings_dict['NAME'])}")
            except DatabaseError as error:
                raise BackupError(
                    f"Could not create the scratch database (the user needs CREATEDB): {error}"
                ) from error
        else:
            raise BackupError(f"Restore drills support SQLite and PostgreSQL, not {connection.vendor}.")
        # Set as a ready connection object, not as settings: Django treats it like a connection made at run
        # time (tests may use it), and the ORM reaches it with .using(alias).
        scratch = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
        connections[alias] = scratch
        try:
            yield alias
        finally:
            scratch.close()
            del connections[alias]
            if connection.vendor == "postgresql":
                with connection._nodb_cursor() as cursor:
                    name = connection.ops.quote_name(settings_dict["NAME"])
                    cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def restored_integrity(alias: str) -> list[str]:
    """Checks that need the application's own rules: every ledger chain intact, the audit log readable."""
    from shinrai.core.models import AuditEvent, Project
    from shinrai.ledger.chain import verify_entries
    from shinrai.ledger.models import Entry

    problems = []
    for project in Project.objects.using(alias).order_by("code"):
        state = verify_entries(Entry.objects.using(alias).filter(project=project).order_by("seq"))
        if not state.ok:
            problems.append(f"ledger of {project.code} broken at entry #{state.broken_seq} ({state.reason})")
    for event in AuditEvent.objects.using(alias).order_by("id").iterator(chunk_size=2000):
        if not isinstance(event.before, dict) or not isinstance(event.after, dict):
            problems.append(f"audit event {event.pk} has unreadable before/after")
    return problems


def restore_drill(*, archive: Path, using: str | BaseDatabaseWrapper = "default") -> DrillReport:
    """Restore ``archive`` into a scratch database and media folder, prove it identical, then drop both."""
    report = DrillReport()
    with (
        scratch_database(using) as alias,
        tempfile.TemporaryDirectory(prefix="shinrai-drill-media-") as media,
    ):
        media_root = Path(media) / "media"
        try:
            manifest = backup_restore(archive=archive, using=alias, media_root=media_root).manifest
        except BackupError as error:
            report.problems.append(str(error))
            return report
        tables = manifest["database"]["tables"]
        report.checks.append(f"archive checksums: {len(manifest['files'])} files verified")
        report.checks.append(
            f"database: {len(tables)} tables, {sum(t['rows'] for t in tables.values()):,} rows"
            " restored with identical counts and content digests"  # backup_restore refuses otherwise
        )
        report.problems += _media_differences(media_root, manifest)
        media_count = sum(1 for name in manifest["files"] if name.startswith(MEDIA_PREFIX))
        report.checks.append(f"media: {media_count} files, sha256 identical")
        report.problems += restored_integrity(alias)
        report.checks.append("ledger hash chains intact; audit log readable")
    return report
