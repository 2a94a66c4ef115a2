"""``manage.py backup [--output-dir DIR] [--no-media] [--database-url URL]``.

Writes ``brigade-YYYYMMDD-HHMMSS.pgdump`` (PostgreSQL, ``pg_dump -Fc``) or ``.sqlite3``
(SQLite's online backup) and, when there are uploaded files, ``...-media.tar.gz`` into
``backups/`` (or BACKUP_DIR, or --output-dir). ``make backup`` runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from brigade.core import backups
from brigade.core.commands import BackupCommand


class Command(BackupCommand):
    help = "Back up the database (and the uploaded files) into timestamped files."
    no_media_help = "Leave the uploaded files out."
    database_url_help = "Back up this database instead of the configured one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            type=Path,
            help="Folder of the backup files (default: BACKUP_DIR, else backups/).",
        )
        super().add_arguments(parser)

    def run(self, db: backups.Database, **options: Any) -> None:
        made = backups.backup(
            options["output_dir"] or backups.default_folder(),
            db=db,
            media_root=None if options["no_media"] else Path(settings.MEDIA_ROOT),
        )
        for path in made:
            self.stdout.write(f"{path}  ({path.stat().st_size:,} bytes)")
