from django.core.management.base import BaseCommand, CommandError

from shinrai.core import backup


class Command(BaseCommand):
    help = (
        "Restore a `shinrai backup` archive into the database and MEDIA_ROOT. Every checksum is verified "
        "before anything is touched; a non-empty database or media folder is refused unless --yes. "
        "With --drill, restore into a scratch database instead, prove it identical and drop it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the .tar.gz written by `shinrai backup`")
        parser.add_argument(
            "--yes", action="store_true", help="replace the contents of a database that is not empty"
        )
        parser.add_argument(
            "--drill",
            action="store_true",
            help="restore into a fresh scratch database and media folder, verify, then drop them "
            "(the live database is not touched)",
        )
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, file: str, yes: bool, drill: bool, database: str, **options):
        if drill:
            try:
                report = backup.restore_drill(archive=file, using=database)
            except backup.BackupError as error:
                raise CommandError(str(error)) from None
            for check in report.checks:
                self.stdout.write(f"  ok  {check}")
            for problem in report.problems:
                self.stderr.write(f"  FAIL {problem}")
            if not report.ok:
                raise CommandError(f"Restore drill failed: {len(report.problems)} difference(s).")
            self.stdout.write(
                self.style.SUCCESS("Restore drill passed: the backup restores to identical data.")
            )
            return
        try:
            result = backup.backup_restore(archive=file, using=database, replace=yes)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} (Shinrai {manifest['shinrai_version']}, "
                f"{len(manifest['database']['tables'])} tables, {len(manifest['files'])} files verified)."
            )
        )
        if result.pending_migrations:
            self.stdout.write(
                f"This Shinrai has {len(result.pending_migrations)} newer migration(s): "
                "run `shinrai migrate`."
            )
        self.stdout.write("Then run `shinrai verify-ledger` and start the app.")
