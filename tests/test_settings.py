"""Settings as production and development get them from the environment.

Each case starts a fresh interpreter, because settings are read once at import.
"""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Variables that the test run itself sets (pytest-env, CI) and that would blur each case.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "STATICFILES_BACKEND",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "brigade.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(expression: str, **env: str) -> object:
    """Evaluate ``expression`` (with ``settings`` and ``connection`` in scope) in a new
    process configured by ``env``; returns its JSON value."""
    code = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.db import connection\n"
        f"print(json.dumps({expression}))\n"
    )
    done = run(["-c", code], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_settings_pass_the_deploy_checks():
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=production_key(),
        ALLOWED_HOSTS="brigade.example",
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_without_a_secret_key_production_refuses_to_start():
    done = run(["manage.py", "check"], DEBUG="0", ALLOWED_HOSTS="brigade.example")

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "SECRET_KEY" in done.stderr


def test_debug_runs_without_a_secret_key():
    assert settings_of("bool(settings.SECRET_KEY) and settings.DEBUG", DEBUG="1") is True


def test_sqlite_runs_in_wal_mode_and_writers_take_the_lock_at_begin(tmp_path):
    # given: a SQLite database, a Django transaction open but nothing written yet
    database = tmp_path / "wal.sqlite3"
    probe = (
        "import sqlite3, django; django.setup()\n"
        "from django.db import connection, transaction\n"
        "with transaction.atomic():\n"
        "    connection.cursor().execute('SELECT 1')\n"
        "    other = sqlite3.connect(connection.settings_dict['NAME'], timeout=0)\n"
        "    try:\n"
        "        other.execute('BEGIN IMMEDIATE')\n"
        "        print('second writer got the lock')\n"
        "    except sqlite3.OperationalError as exc:\n"
        "        print('second writer refused:', exc)\n"
        "mode = connection.cursor().execute('PRAGMA journal_mode').fetchone()[0]\n"
        "print('journal_mode:', mode)\n"
    )

    # when
    done = run(["-c", probe], DEBUG="1", DATABASE_URL=f"sqlite:///{database}")

    # then: BEGIN IMMEDIATE held the write lock from the start of the transaction
    assert done.returncode == 0, done.stderr
    assert "second writer refused: database is locked" in done.stdout
    assert "journal_mode: wal" in done.stdout


def test_tasks_run_eagerly_without_a_broker_and_through_redis_with_one():
    # the Celery app reads the same settings as Django
    expression = (
        "[settings.CELERY_TASK_ALWAYS_EAGER, __import__('brigade').celery_app.conf"
        ".task_always_eager, settings.CELERY_BROKER_URL]"
    )

    assert settings_of(expression, DEBUG="1") == [True, True, ""]
    redis = "redis://127.0.0.1:6379/0"
    assert settings_of(expression, DEBUG="1", REDIS_URL=redis) == [False, False, redis]


def test_postgres_connections_are_reused_and_health_checked():
    expression = "[connection.vendor, settings.DATABASES['default']['CONN_HEALTH_CHECKS']]"

    assert settings_of(
        expression, DEBUG="1", DATABASE_URL="postgres://brigade@db.example:5432/brigade"
    ) == ["postgresql", True]
