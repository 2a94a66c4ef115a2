"""``manage.py backup`` and ``manage.py restore`` (``make backup`` / ``make restore``): a
brigade's records and photos backed up, restored into a scratch database, and counted.

Runs on the suite's database: PostgreSQL in CI (pg_dump -Fc / pg_restore), SQLite here.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from brigade.core.kpi import engine
from hazards.models import HazardPhoto
from tests.brigade.factories import (
    AttendanceFactory,
    PatrolLogFactory,
    TrainingSessionFactory,
    ViolationTallyFactory,
)
from tests.faults.conftest import shared_database_url
from tests.faults.services import BASE_DIR, app_environment
from tests.hazards.factories import HazardFactory, photo
from tests.incidents.factories import FundAdvanceFactory, RecoveryFactory
from tests.outreach.factories import AssistanceEventFactory, PublicityEventFactory
from tests.petitions.factories import ConsultationFactory, TicketFactory

STAMP = r"brigade-\d{8}-\d{6}"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=app_environment(SECRET_KEY="backup-tests-" + "k" * 40, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def load_records(unit: Any, officer: Any) -> bytes:
    """Records of every app, their history rows, the KPI tables, and one uploaded photo
    (its bytes returned)."""
    start = timezone.now() - dt.timedelta(days=3)
    for n in range(5):
        patrol = PatrolLogFactory(officer=officer.officer, started_at=start + dt.timedelta(hours=n))
        ViolationTallyFactory(patrol=patrol, kind="no_helmet", count=n + 1)
    AttendanceFactory(session=TrainingSessionFactory(unit=unit))
    hazard = HazardFactory(unit=unit)
    image = photo("before.png")
    picture = HazardPhoto.objects.create(hazard=hazard, stage="before", file=image)
    FundAdvanceFactory.create_batch(2)
    RecoveryFactory()
    TicketFactory.create_batch(3, unit=unit)
    ConsultationFactory(unit=unit)
    PublicityEventFactory(unit=unit)
    AssistanceEventFactory(unit=unit)
    engine.recompute_all()
    return Path(picture.file.path).read_bytes()


def row_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """An empty database beside the test's: a file on SQLite, a database of the same
    server on PostgreSQL (dropped after the test)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2

    name = f"{connection.settings_dict['NAME']}_restore"[:63]
    params = {
        k: v
        for k, v in {
            "host": connection.settings_dict["HOST"],
            "port": connection.settings_dict["PORT"],
            "user": connection.settings_dict["USER"],
            "password": connection.settings_dict["PASSWORD"],
        }.items()
        if v
    }

    def admin(sql: str) -> None:
        conn = psycopg2.connect(dbname="postgres", **params)
        conn.autocommit = True
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield shared_database_url().rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scratch_counts(url: str, tables: list[str]) -> dict[str, int]:
    if url.startswith("sqlite:///"):
        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        import psycopg2

        conn = psycopg2.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return row_counts(conn.cursor(), tables)
    finally:
        conn.close()


# The app's processes read what the test wrote: committed rows, a transactional test.
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_scratch_database_has_every_row_and_photo(
    unit, officer, scratch_database, tmp_path, capsys
):
    # given: records of every app, their history, the KPI tables and an uploaded photo
    picture = load_records(unit, officer)
    tables = sorted(connection.introspection.table_names())
    with connection.cursor() as cursor:
        counts = row_counts(cursor, tables)
    for table in (
        "brigade_patrollog",
        "brigade_historicalpatrollog",
        "hazards_hazardphoto",
        "petitions_ticket",
        "incidents_fundadvance",
        "brigade_kpirollup",
    ):
        assert counts[table] > 0, table
    folder = tmp_path / "backups"
    media_root = Path(settings.MEDIA_ROOT)

    # when: `manage.py backup` (what `make backup` runs), then `manage.py restore` into a
    # scratch database configured by DATABASE_URL, files into another folder
    made = manage(
        "backup",
        f"--output-dir={folder}",
        DATABASE_URL=shared_database_url(),
        MEDIA_ROOT=str(media_root),
    )
    files = sorted(folder.iterdir(), key=lambda f: f.name.endswith(".tar.gz"))
    database_file = files[0]
    restored_media = tmp_path / "restored-media"
    manage(
        "restore",
        str(database_file),
        "--noinput",
        DATABASE_URL=scratch_database,
        MEDIA_ROOT=str(restored_media),
    )

    # then: one database file and one media archive, named by the time of the backup
    suffix = r"\.pgdump" if connection.vendor == "postgresql" else r"\.sqlite3"
    assert [f.name for f in files] == [
        database_file.name,
        database_file.name.removesuffix(database_file.suffix) + "-media.tar.gz",
    ]
    assert re.fullmatch(STAMP + suffix, database_file.name), database_file.name
    assert str(database_file) in made.stdout
    # every table holds as many rows as the original
    assert scratch_counts(scratch_database, tables) == counts
    # and the photo came back, byte for byte, at the path its row names
    relative = HazardPhoto.objects.get().file.name
    assert (restored_media / relative).read_bytes() == picture
    with capsys.disabled():
        print(
            f"\n[faults] backup ({connection.vendor}): {len(tables)} tables, "
            f"{sum(counts.values())} rows, {database_file.stat().st_size:,} bytes "
            f"+ {files[1].stat().st_size:,} bytes of media; restored with equal counts"
        )


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    stray = tmp_path / "notes.pgdump"
    stray.write_text("not a dump")

    with pytest.raises(CommandError, match="neither a pg_dump custom-format file nor a SQLite"):
        call_command("restore", str(stray), "--noinput", "--no-media")


def test_restore_refuses_a_backup_of_the_other_kind_of_database(tmp_path):
    # given: a SQLite backup file
    other = tmp_path / "brigade-20220613-120000.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    target = "postgres://postgres@127.0.0.1:5432/nowhere"

    # when / then: restoring it into a PostgreSQL database is refused before any change
    with pytest.raises(CommandError, match="is a sqlite backup; the target database is postgres"):
        call_command("restore", str(other), "--noinput", f"--database-url={target}")


def test_two_backups_in_one_second_get_two_names(tmp_path):
    database = tmp_path / "one.sqlite3"
    sqlite3.connect(database).execute("CREATE TABLE t (x)")
    url = f"sqlite:///{database}"

    for _ in range(2):
        call_command(
            "backup", f"--output-dir={tmp_path / 'b'}", "--no-media", f"--database-url={url}"
        )

    names = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == 2
    assert all(re.fullmatch(STAMP + r"(-2)?\.sqlite3", n) for n in names), names
