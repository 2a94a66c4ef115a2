"""What the management commands share."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from brigade.core import backups


class DeclaredOptionsCommand(BaseCommand):
    """A command whose options are declared: ``arguments`` maps each option to the keywords
    of its ``add_argument``."""

    arguments: ClassVar[dict[str, dict[str, Any]]] = {}

    def add_arguments(self, parser: CommandParser) -> None:
        for flag, spec in self.arguments.items():
            parser.add_argument(flag, **spec)


class BackupCommand(BaseCommand):
    """A command on a backup (``backup``, ``restore``): the database at ``--database-url``
    (else the configured one), with the uploaded files unless ``--no-media``. It does its
    work in ``run``; a ``BackupError`` ends it with the error's message."""

    no_media_help: ClassVar[str]
    database_url_help: ClassVar[str]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-media", action="store_true", help=self.no_media_help)
        parser.add_argument("--database-url", help=self.database_url_help)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.run(backups.Database.from_url(options["database_url"]), **options)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc

    def run(self, db: backups.Database, **options: Any) -> None:
        raise NotImplementedError
