"""The writer lock of the KPI tables: one writer at a time, in every process.

Every writer of the flows, rollups and published figures (a full recompute, an
incremental one, publishing a week, ``manage.py rollup_kpis``) holds it, so two
recomputes never both delete the same old rows and both insert new ones. A writer that
finds it taken waits for it.

- PostgreSQL: a session-level advisory lock (``pg_advisory_lock``) on the connection;
  released in ``finally``, and by the server if the process dies.
- SQLite: ``flock`` on a file beside the database (threads each open their own
  descriptor, so they exclude each other as processes do).

Re-entrant within a thread: a recompute that calls another writer keeps the one lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import IO

from django.db import connection

logger = logging.getLogger(__name__)

# pg_advisory_lock's key: a fixed 64-bit number for "the KPI tables"
ADVISORY_KEY = int.from_bytes(
    hashlib.sha256(b"brigade.core.kpi.writer").digest()[:8], "big", signed=True
)

_held = threading.local()


def _depth() -> int:
    return getattr(_held, "depth", 0)


def lock_path() -> str:
    """The SQLite lock file: beside the database file, or in the temporary folder for an
    in-memory database (named after it, so two test databases do not share it)."""
    name = str(connection.settings_dict["NAME"])
    if name and ":memory:" not in name and "mode=memory" not in name:
        return f"{name}.kpi-lock"
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"brigade-kpi-{os.getpid()}-{digest}.lock")


def held() -> bool:
    """Whether this thread holds the writer lock."""
    return _depth() > 0


@contextlib.contextmanager
def writer_lock() -> Iterator[None]:
    """Hold the KPI writer lock for the block (waiting for another writer to finish)."""
    if _depth():
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    release = _acquire()
    _held.depth = 1
    try:
        yield
    finally:
        _held.depth = 0
        release()


Release = Callable[[], None]


def _acquire(name: str = "") -> Release:
    if connection.vendor == "postgresql":
        return _acquire_advisory(_key(name) if name else ADVISORY_KEY)
    return _acquire_file(f"{lock_path()}-{name}" if name else lock_path())


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def named_lock(name: str) -> Iterator[None]:
    """A writer lock like the KPI tables' for another set of computed tables (``name``
    says which, e.g. "incidents.black_spots"): one writer at a time, in every process.
    Not re-entrant; independent of the KPI lock."""
    release = _acquire(name)
    try:
        yield
    finally:
        release()


@contextlib.contextmanager
def named_transaction(name: str, *statements: str) -> Iterator[None]:
    """``named_lock(name)`` around one transaction (``transaction.atomic``), in fewer round
    trips for a short, frequent writer: on PostgreSQL the lock is the transaction's
    (``pg_advisory_xact_lock``, released by its commit or rollback), taken in ONE request
    with ``statements`` (e.g. ``SET LOCAL ...``). It excludes ``named_lock(name)`` holders
    as they exclude each other. Elsewhere: ``named_lock``, then the transaction and the
    statements."""
    from django.db import transaction

    if connection.vendor != "postgresql":
        with named_lock(name), transaction.atomic():
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            # one request: the lock's SELECT and the statements (none takes parameters)
            cursor.execute(
                "; ".join(["SELECT pg_advisory_xact_lock(%s)", *statements]), [_key(name)]
            )
        yield


def _acquire_advisory(key: int) -> Release:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    held_by = connection.connection  # the session that holds it

    def release() -> None:
        if connection.connection is not held_by:
            return  # the session is gone, and the server released its lock with it
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except Exception:
            # an aborted transaction refuses the unlock: closing the session releases it
            logger.warning("KPI writer lock: unlock failed, closing the connection", exc_info=True)
            connection.close()

    return release


def _acquire_file(path: str) -> Release:
    handle: IO[bytes] = open(path, "ab")  # noqa: SIM115 (closed by release)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
    except BaseException:
        handle.close()
        raise

    def release() -> None:
        try:
            fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()

    return release
