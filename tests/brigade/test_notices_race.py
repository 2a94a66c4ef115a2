"""Two processes running the reminders at once on PostgreSQL write each notice once, and
each reports (and would hand to the channels) only the notices it wrote itself."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from brigade.core.notices.models import Notice
from tests.brigade.factories import OfficerFactory, UserFactory
from tests.brigade.notices_helpers import ticket_due
from tests.brigade.test_celery_worker import BASE_DIR, database_url

PEOPLE = 60

RUN = """
import datetime as dt, os, pathlib, time
from brigade.core.notices.reminders import send_reminders
folder = pathlib.Path(os.environ["RACE_DIR"])
(folder / os.environ["RACE_NAME"]).touch()
deadline = time.monotonic() + 120
while len(list(folder.iterdir())) < 2 and time.monotonic() < deadline:
    time.sleep(0.01)
print("NEW", len(send_reminders(dt.datetime.fromisoformat("2022-06-13T09:00+08:00"))))
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_remind_once(unit, clerk, commander, tmp_path):
    # given 60 people with two tickets each due today and tomorrow
    for _ in range(PEOPLE):
        person = OfficerFactory(user=UserFactory(roles=["officer"]), unit=unit)
        ticket_due("2022-06-13", unit=unit, handler=person)
        ticket_due("2022-06-14", unit=unit, handler=person)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
        "RACE_DIR": str(tmp_path),
        "PYTHONPATH": str(BASE_DIR),
    }
    # when two processes run the reminders at the same moment
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", RUN],
            cwd=BASE_DIR,
            env={**env, "RACE_NAME": name},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    counts = [int(line.split()[1]) for out in outputs for line in out.splitlines() if "NEW" in line]
    # then each reminder exists once, and the two reports add up to exactly that
    assert Notice.objects.count() == PEOPLE * 2
    assert sum(counts) == PEOPLE * 2, counts
