"""``manage.py restore FILE [--media ARCHIVE] [--database-url URL] [--noinput]``.

Loads a backup made by ``manage.py backup`` into the configured database (or the one at
--database-url): a PostgreSQL dump replaces the objects it holds in one transaction, a
SQLite backup replaces the whole file. The uploaded files archive made with it (the same
stamp, ``-media.tar.gz``) is unpacked into MEDIA_ROOT unless --no-media.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from brigade.core import backups
from brigade.core.commands import BackupCommand


class Command(BackupCommand):
    help = "Restore a backup file (and its uploaded files) into a database."
    no_media_help = "Restore no files."
    database_url_help = "Restore into this database instead of the configured one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .pgdump or .sqlite3 backup file.")
        parser.add_argument(
            "--media",
            type=Path,
            help="The uploaded files archive (default: the one made with FILE, if any).",
        )
        super().add_arguments(parser)
        parser.add_argument(
            "--media-root", type=Path, help="Unpack the files here instead of MEDIA_ROOT."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["file"].is_file():
            raise CommandError(f"No backup file at {options['file']}.")
        super().handle(*args, **options)

    def run(self, db: backups.Database, **options: Any) -> None:
        path: Path = options["file"]
        media = None if options["no_media"] else options["media"] or backups.media_beside(path)
        media_root = options["media_root"] or Path(settings.MEDIA_ROOT)
        target = db.name if db.vendor == "sqlite" else f"{db.name} on {db.host or 'local'}"
        if options["interactive"]:
            answer = input(
                f"This replaces the data of the {db.vendor} database {target}"
                + (f" and files in {media_root}" if media else "")
                + f" with {path}. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        backups.restore_database(path, db)
        self.stdout.write(f"Database {target} restored from {path}.")
        if media is not None:
            count = backups.restore_media(media, media_root)
            self.stdout.write(f"{count} uploaded files restored into {media_root}.")
