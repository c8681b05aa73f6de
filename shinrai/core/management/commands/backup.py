from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shinrai.core import backup


class Command(BaseCommand):
    help = (
        "Write one .tar.gz holding the database (SQLite online backup or pg_dump -Fc), every file under "
        "MEDIA_ROOT and a manifest (version, vendor, rows and digest per table, sha256 per file). "
        "Safe to run while the app is serving."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="where to write the archive (default: $SHINRAI_VAR_DIR/backups/shinrai-<time>.tar.gz)",
        )
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, output: str | None, database: str, **options):
        if output:
            path = Path(output)
        else:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.VAR_DIR) / "backups" / f"shinrai-{stamp}.tar.gz"
        try:
            manifest = backup.backup_create(output=path, using=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        tables = manifest["database"]["tables"]
        media = sum(1 for name in manifest["files"] if name.startswith(backup.MEDIA_PREFIX))
        rows = sum(table["rows"] for table in tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {path} ({path.stat().st_size:,} bytes; {manifest['database']['vendor']}, "
                f"{len(tables)} tables, {rows:,} rows, {media} media files)."
            )
        )
        self.stdout.write(
            "Keep SHINRAI_SECRET_KEY with it; the archive holds password hashes: store it safely."
        )
