"""Sending the daily digest: on working days only (a 调休 Saturday is one, a public holiday
is not), once per person and day by e-mail (a real SMTP server on loopback) and once per
unit to its group robot (a local HTTP server), whatever the number of runs; the command
that sends it by hand; and two real Celery workers running the same beat entry."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import time
import uuid
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import translation

from brigade.celery import app as celery_app
from brigade.core.notices.channel_tasks import send_digests_task
from brigade.core.notices.digest import send_digests
from brigade.core.notices.models import Delivery, DeliveryChannel, DeliveryStatus, Notice
from tests.brigade.notice_fixtures import desk, ticket, ticket_source  # noqa: F401
from tests.brigade.notice_servers import Robot, Smtp, mail_settings, robot, smtp  # noqa: F401
from tests.brigade.test_celery_worker import BASE_DIR, celery_command, database_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAKE_UP_SATURDAY = dt.date(2022, 4, 2)  # 调休: worked for the Qingming holiday
HOLIDAY = dt.date(2022, 4, 4)  # Qingming, a Monday off
MONDAY = dt.date(2022, 6, 13)


def at_eight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 0), tzinfo=SHANGHAI)


def the_beat_entry_runs_on(day: dt.date, capture) -> None:
    """The beat entry's task, with the clock pinned to 08:00 of ``day``."""
    with time_machine.travel(at_eight(day), tick=True), capture(execute=True):
        send_digests_task()


@pytest.fixture
def two_desks(ticket_source, robot: Robot):  # noqa: F811
    """Two units with a clerk and a commander each; the first unit has a group robot."""
    return desk(1, robot=robot.url()), desk(2)


@pytest.mark.django_db
@pytest.mark.clock
@pytest.mark.parametrize("day", [MAKE_UP_SATURDAY, MONDAY], ids=["make-up-saturday", "monday"])
def test_on_a_working_day_each_person_gets_their_digest_by_mail(
    day,
    two_desks,
    smtp: Smtp,  # noqa: F811
    robot: Robot,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # given: clerk1 holds two tickets to sign (one overdue), clerk2 one
    one, two = two_desks
    ticket(one, day - dt.timedelta(days=2), "T-LATE")
    ticket(one, day, "T-TODAY")
    ticket(two, day, "T-OTHER")

    # when: the beat entry runs at 08:00 that day
    the_beat_entry_runs_on(day, django_capture_on_commit_callbacks)

    # then: clerk1's mail counts their two items; the commanders get theirs too
    smtp.wait_for(3)
    (mail,) = smtp.to("clerk1@example.cn")
    assert mail.subject.startswith(f"[{django_settings.BRIGADE_NAME}]")
    assert day.isoformat() in mail.subject
    assert re.search(r"2\D+1", mail.subject)  # 2 to do, 1 overdue
    assert "T-LATE" in mail.text and "T-TODAY" in mail.text
    assert "T-OTHER" not in mail.text
    assert "T-OTHER" in smtp.to("clerk2@example.cn")[0].text
    assert "T-LATE" in smtp.to("boss1@example.cn")[0].text  # the unit's overdue item
    # unit 2 has nothing overdue and its commander nothing of their own: no digest
    assert smtp.to("boss2@example.cn") == []
    # one digest notice per person, in the app too
    assert set(Notice.objects.filter(kind="digest").values_list("key", flat=True)) == {
        f"digest:{day.isoformat()}"
    }
    # and the first unit's group robot got one message, the second has no robot
    (post,) = robot.posts
    assert post.body["msgtype"] == "markdown"
    assert "第1中队" in post.body["markdown"]["content"]
    assert "T-LATE" in post.body["markdown"]["content"]
    unit_row = Delivery.objects.get(channel=DeliveryChannel.WEBHOOK)
    assert unit_row.key == f"digest:{day.isoformat()}:unit:{one.unit.pk}"
    assert unit_row.status == DeliveryStatus.SENT


@pytest.mark.django_db
@pytest.mark.clock
def test_on_a_public_holiday_nothing_is_sent(
    two_desks,
    smtp: Smtp,  # noqa: F811
    robot: Robot,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    one, _two = two_desks
    ticket(one, HOLIDAY - dt.timedelta(days=1), "T-LATE")

    the_beat_entry_runs_on(HOLIDAY, django_capture_on_commit_callbacks)

    assert not Notice.objects.exists()
    assert not Delivery.objects.exists()
    assert smtp.inbox == [] and robot.posts == []


@pytest.mark.django_db
def test_two_runs_of_a_day_send_once(
    two_desks,
    smtp: Smtp,  # noqa: F811
    robot: Robot,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    one, two = two_desks
    ticket(one, MONDAY, "T-1")
    ticket(two, MONDAY, "T-2")

    with django_capture_on_commit_callbacks(execute=True):
        first = send_digests(MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = send_digests(MONDAY)

    assert first.notices == 2 and not first.nothing_new
    assert second.notices == 0 and second.deliveries == 0 and second.nothing_new
    smtp.wait_for(2)
    assert sorted(a for m in smtp.inbox for a in m.to) == [
        "clerk1@example.cn",
        "clerk2@example.cn",
    ]
    assert len(robot.posts) == 1
    assert Notice.objects.count() == 2


@pytest.mark.django_db
def test_the_command_prints_what_went_to_whom_and_a_second_run_sends_nothing_new(
    two_desks,
    smtp: Smtp,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    one, _two = two_desks
    ticket(one, MONDAY - dt.timedelta(days=1), "T-LATE")
    ticket(one, MONDAY, "T-TODAY")

    out = StringIO()
    # the command speaks the active language: English here, so the lines read as below
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        call_command("send_digests", "--date", "2022-06-13", stdout=out)
    first = out.getvalue()
    assert "clerk1 (clerk1): sent by in the app + e-mail [sign 2, overdue 1]" in first
    assert "boss1 (boss1): sent by in the app + e-mail [-, unit overdue 1]" in first
    assert "unit 第1中队: group robot sent [2 items]" in first
    assert "2022-06-13: 2 digests" in first

    again = StringIO()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        call_command("send_digests", "--date", "2022-06-13", stdout=again)
    assert "clerk1 (clerk1): already had it" in again.getvalue()
    assert "nothing new sent" in again.getvalue()
    assert len(smtp.wait_for(2)) == 2


@pytest.mark.django_db
def test_a_dry_run_writes_and_sends_nothing(two_desks, smtp: Smtp, robot: Robot):  # noqa: F811
    one, _two = two_desks
    ticket(one, MONDAY, "T-1")

    out = StringIO()
    call_command("send_digests", "--date", "2022-06-13", "--dry-run", stdout=out)

    assert "clerk1 (clerk1): would send" in out.getvalue()
    assert "dry run" in out.getvalue()
    assert not Notice.objects.exists() and not Delivery.objects.exists()
    assert smtp.inbox == [] and robot.posts == []


@pytest.mark.django_db
def test_the_command_says_a_day_off_sends_nothing(ticket_source):  # noqa: F811
    out = StringIO()
    call_command("send_digests", "--date", HOLIDAY.isoformat(), stdout=out)
    assert "2022-04-04 is not a working day" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad", ["2022-13-01", "yesterday", "0001-01-01", "9999-12-31", "2022\x0006"]
)
def test_a_bad_date_is_a_clear_error(bad):
    with pytest.raises(CommandError, match="--date"):
        call_command("send_digests", "--date", bad)


# --- two real workers ---------------------------------------------------------------------


def start_worker(queue: str, n: int, log_path, extra_env: dict[str, str]) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": django_settings.CELERY_RESULT_BACKEND,
        "PYTHONPATH": str(BASE_DIR),
        **extra_env,
    }
    command = [
        *celery_command(),
        "-A",
        "brigade",
        "worker",
        "--include=tests.brigade.notice_worker_source",
        "--pool=solo",
        "--loglevel=info",
        f"--queues={queue}",
        f"--hostname={queue}-{n}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with open(log_path, "wb") as sink:
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=sink, stderr=subprocess.STDOUT
        )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_beat_entry_send_each_digest_once(
    two_desks,
    smtp: Smtp,  # noqa: F811
    robot: Robot,  # noqa: F811
    tmp_path,
):
    # given: due items, two workers on one queue, both pointed at the test's SMTP server
    one, two = two_desks
    ticket(one, MONDAY, "T-1")
    ticket(two, MONDAY - dt.timedelta(days=1), "T-2")
    queue = f"brigade-test-{uuid.uuid4().hex[:12]}"
    extra = {"EMAIL_URL": smtp.url, "SITE_URL": "https://ops.example", "BRIGADE_TEST_QUEUE": queue}
    workers = [start_worker(queue, n, tmp_path / f"worker{n}.log", extra) for n in (1, 2)]
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        # when: the beat entry's task is sent twice at once (two beats, or a repeat); the
        # workers' clock is the real one, so the day is given as the entry's argument
        for _ in range(2):
            send_digests_task.apply_async(kwargs={"day": MONDAY.isoformat()}, queue=queue)
        # then: each person's mail arrives once, the robot hears once
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            done = Delivery.objects.filter(status=DeliveryStatus.SENT).count()
            if done >= 4 and len(smtp.inbox) >= 3:
                break
            time.sleep(0.3)
        time.sleep(2)  # a duplicate, if any, would arrive now
        logs = "\n".join((tmp_path / f"worker{n}.log").read_text() for n in (1, 2))
        # clerk1, clerk2, and boss2 (T-2 is overdue in unit 2); boss1 has nothing to read
        assert Notice.objects.filter(kind="digest").count() == 3, logs
        recipients = sorted(a for m in smtp.inbox for a in m.to)
        assert recipients == ["boss2@example.cn", "clerk1@example.cn", "clerk2@example.cn"], logs
        assert len(robot.posts) == 1
        assert "send_digests_task" in logs
    finally:
        celery_app.conf.task_default_queue = saved
        for process in workers:
            process.terminate()
        for process in workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
