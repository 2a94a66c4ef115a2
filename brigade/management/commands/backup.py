"""``manage.py backup [--output-dir DIR] [--no-media] [--database-url URL]``.

Writes ``brigade-YYYYMMDD-HHMMSS.pgdump`` (PostgreSQL, ``pg_dump -Fc``) or ``.sqlite3``
(SQLite's online backup) and, when there are uploaded files, ``...-media.tar.gz`` into
``backups/`` (or BACKUP_DIR, or --output-dir). ``make backup`` runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from brigade.core import backups


class Command(BaseCommand):
    help = "Back up the database (and the uploaded files) into timestamped files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            type=Path,
            help="Folder of the backup files (default: BACKUP_DIR, else backups/).",
        )
        parser.add_argument("--no-media", action="store_true", help="Leave the uploaded files out.")
        parser.add_argument(
            "--database-url", help="Back up this database instead of the configured one."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["output_dir"] or backups.default_folder()
        try:
            made = backups.backup(
                folder,
                db=backups.Database.from_url(options["database_url"]),
                media_root=None if options["no_media"] else Path(settings.MEDIA_ROOT),
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for path in made:
            self.stdout.write(f"{path}  ({path.stat().st_size:,} bytes)")
