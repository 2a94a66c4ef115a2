"""Backups of the database and the uploaded files, and their restore.

PostgreSQL is dumped with ``pg_dump -Fc`` (custom format: compressed, restored by
``pg_restore``); SQLite is copied with its online backup API, which gives a consistent
copy while the app keeps writing (WAL included), unlike copying the file. Uploaded photos
and documents (MEDIA_ROOT) go into a tar.gz beside the database file. Every file of one
backup starts with the same ``brigade-YYYYMMDD-HHMMSS`` stamp (local time).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import environ
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

POSTGRES_SUFFIX = ".pgdump"
SQLITE_SUFFIX = ".sqlite3"
MEDIA_SUFFIX = "-media.tar.gz"
# What each kind of file starts with: a backup is recognised by content, not by name.
MAGIC = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class Database:
    """Where a database is, from Django's settings or a DATABASE_URL."""

    vendor: str  # "postgresql" or "sqlite"
    name: str  # database name, or the SQLite file's path
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, config: dict[str, Any]) -> Database:
        engine = config["ENGINE"]
        if engine.endswith("sqlite3"):
            vendor = "sqlite"
        elif "postgresql" in engine:
            vendor = "postgresql"
        else:
            raise BackupError(f"No backup for the database engine {engine}.")
        return cls(
            vendor=vendor,
            name=str(config["NAME"]),
            host=str(config.get("HOST") or ""),
            port=str(config.get("PORT") or ""),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
        )

    @classmethod
    def from_url(cls, url: str | None) -> Database:
        """The database at ``url``, or the configured one (settings.DATABASES)."""
        if not url:
            return cls.from_settings(settings.DATABASES["default"])
        try:
            return cls.from_settings(environ.Env.db_url_config(url))
        except (ImproperlyConfigured, KeyError) as exc:
            raise BackupError(f"Not a database URL: {url} ({exc})") from exc

    def libpq_env(self) -> dict[str, str]:
        """pg_dump/pg_restore's connection, passed in the environment (the password never
        shows in a process list)."""
        values = {
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.name,
        }
        return {**os.environ, **{k: v for k, v in values.items() if v}}


def _stamp(folder: Path) -> str:
    """``brigade-YYYYMMDD-HHMMSS``, with a counter if a backup of that second exists."""
    base = "brigade-" + timezone.localtime().strftime("%Y%m%d-%H%M%S")
    stamp, n = base, 1
    while any(folder.glob(f"{stamp}.*")) or any(folder.glob(f"{stamp}-media*")):
        n += 1
        stamp = f"{base}-{n}"
    return stamp


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        ) from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed:\n{done.stderr.strip()}")


def _sqlite_copy(source: str, target: str, *, standalone: bool = False) -> None:
    """SQLite's online backup: a consistent copy page by page, the target replaced.

    ``standalone``: the copy leaves WAL mode, so that it is one self-contained file that
    opens without writing -wal/-shm files beside it.
    """
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            if standalone:
                dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def backup_database(db: Database, folder: Path, stamp: str) -> Path:
    if db.vendor == "postgresql":
        path = folder / f"{stamp}{POSTGRES_SUFFIX}"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"],
            db.libpq_env(),
        )
        return path
    if not Path(db.name).is_file():
        raise BackupError(f"No SQLite database at {db.name}.")
    path = folder / f"{stamp}{SQLITE_SUFFIX}"
    partial = path.with_name(path.name + ".partial")
    _sqlite_copy(db.name, str(partial), standalone=True)
    partial.replace(path)
    return path


def backup_media(media_root: Path, folder: Path, stamp: str) -> Path | None:
    """The uploaded files as a tar.gz, or None when there are none."""
    if not media_root.is_dir() or not any(p.is_file() for p in media_root.rglob("*")):
        return None
    path = folder / f"{stamp}{MEDIA_SUFFIX}"
    with tarfile.open(path, "w:gz") as archive:
        for child in sorted(media_root.iterdir()):
            archive.add(child, arcname=child.name)
    return path


def backup(folder: Path, *, db: Database, media_root: Path | None) -> list[Path]:
    """Back up ``db`` (and ``media_root`` unless None) into ``folder``: the files made."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(folder)
    made = [backup_database(db, folder, stamp)]
    if media_root is not None:
        media = backup_media(media_root, folder, stamp)
        if media is not None:
            made.append(media)
    return made


def kind_of(path: Path) -> str:
    """ "postgresql" or "sqlite", from the file's first bytes."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror}") from exc
    for vendor, magic in MAGIC.items():
        if head.startswith(magic):
            return vendor
    raise BackupError(f"{path} is neither a pg_dump custom-format file nor a SQLite database.")


def restore_database(path: Path, db: Database) -> None:
    """Load the backup ``path`` into ``db``: a PostgreSQL dump replaces the objects it holds
    (in one transaction), a SQLite copy replaces the whole file."""
    kind = kind_of(path)
    if kind != db.vendor:
        raise BackupError(f"{path} is a {kind} backup; the target database is {db.vendor}.")
    if kind == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={db.name}",
                str(path),
            ],
            db.libpq_env(),
        )
        return
    Path(db.name).parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(str(path), db.name)


def restore_media(path: Path, media_root: Path) -> int:
    """Unpack the uploaded files into ``media_root`` (existing files of the same name are
    replaced); the number of files. Links and paths outside the folder are refused."""
    media_root.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = archive.getmembers()
            archive.extractall(media_root, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"Cannot unpack {path}: {exc}") from exc
    return sum(1 for m in members if m.isfile())


def default_folder() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or settings.BASE_DIR / "backups")


def media_beside(path: Path) -> Path | None:
    """The media archive made with the database file ``path``, if there is one."""
    for suffix in (POSTGRES_SUFFIX, SQLITE_SUFFIX):
        if path.name.endswith(suffix):
            candidate = path.with_name(path.name[: -len(suffix)] + MEDIA_SUFFIX)
            return candidate if candidate.is_file() else None
    return None
