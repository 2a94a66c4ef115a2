"""The notices' channels against real servers on loopback: e-mail through an SMTP server
(aiosmtpd), the unit's group robot through an HTTP server; deliveries recorded, retried
with backoff, and a hanging channel holding up nobody else."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.utils import timezone

from brigade.core.notices import channels, delivery
from brigade.core.notices import dispatch as dispatch_module
from brigade.core.notices.channel_tasks import retry_deliveries_task
from brigade.core.notices.dispatch import dispatch
from brigade.core.notices.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    NoticeKind,
    NoticePreference,
)
from brigade.core.notices.send import NoticeSpec, create_notices
from tests.brigade.notice_servers import Robot, Smtp, robot, smtp  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def brigade_name(settings):
    settings.BRIGADE_NAME = "聊城交警三大队"
    settings.SITE_URL = "https://ops.example"
    return settings.BRIGADE_NAME


def escalation(user, unit, key="escalation:petitions.ticket:12:1", title="工单超期未办结"):
    return NoticeSpec(
        user_id=user.pk,
        kind=NoticeKind.ESCALATION,
        key=key,
        title=title,
        action="close",
        unit_id=unit.pk,
        level=1,
        body="已超期 9 个工作小时",
        url="/petitions/tickets/12/",
    )


def reminder(user, key="reminder:petitions.ticket:7:sign:2022-06-13:lead1", title="工单待签收"):
    return NoticeSpec(
        user_id=user.pk,
        kind=NoticeKind.REMINDER,
        key=key,
        title=title,
        action="sign",
        url="/petitions/tickets/7/",
    )


def send(specs, capture):
    """Write the notices and run what their transaction's commit starts (the tasks)."""
    with capture(execute=True):
        return create_notices(specs)


def test_an_escalation_is_mailed_and_posted_to_the_units_robot(
    smtp: Smtp,  # noqa: F811
    robot: Robot,  # noqa: F811
    brigade_name,
    commander,
    unit,
    django_capture_on_commit_callbacks,
):
    # given: the commander has an address, the unit a group robot
    commander.email = "zhang@example.cn"
    commander.save()
    unit.robot_webhook_url = robot.url()
    unit.save()

    # when
    send([escalation(commander, unit)], django_capture_on_commit_callbacks)

    # then: one mail to the commander, subject under the brigade's name, text and HTML
    (mail,) = smtp.wait_for(1)
    assert mail.to == ["zhang@example.cn"]
    assert mail.subject == "[聊城交警三大队] 工单超期未办结"
    assert "已超期 9 个工作小时" in mail.text
    assert "https://ops.example/petitions/tickets/12/" in mail.text
    assert 'href="https://ops.example/petitions/tickets/12/"' in mail.html
    # and one markdown message to the group
    (post,) = robot.posts
    assert post.path == "/robot/send?key=unit"
    assert post.body["msgtype"] == "markdown"
    assert "工单超期未办结" in post.body["markdown"]["content"]
    assert "https://ops.example/petitions/tickets/12/" in post.body["markdown"]["content"]
    # and each delivery is recorded as sent once
    rows = {d.channel: d for d in Delivery.objects.all()}
    assert set(rows) == {DeliveryChannel.EMAIL, DeliveryChannel.WEBHOOK}
    for row in rows.values():
        assert row.status == DeliveryStatus.SENT
        assert row.attempts == 1
        assert row.sent_at is not None
    assert rows[DeliveryChannel.EMAIL].target == "zhang@example.cn"
    assert rows[DeliveryChannel.WEBHOOK].target == robot.url()


def test_the_group_hears_an_escalation_once_whoever_it_went_to(
    robot: Robot,  # noqa: F811
    commander,
    brigade_commander,
    unit,
    django_capture_on_commit_callbacks,
):
    unit.robot_webhook_url = robot.url()
    unit.save()

    send(
        [escalation(commander, unit), escalation(brigade_commander, unit)],
        django_capture_on_commit_callbacks,
    )

    assert len(robot.posts) == 1
    assert Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK).count() == 1


def test_dingtalk_robots_get_title_and_text(
    robot: Robot,  # noqa: F811
    settings,
    commander,
    unit,
    django_capture_on_commit_callbacks,
):
    settings.NOTICE_WEBHOOK_FLAVOUR = "dingtalk"
    unit.robot_webhook_url = robot.url()
    unit.save()

    send([escalation(commander, unit)], django_capture_on_commit_callbacks)

    body = robot.posts[0].body
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "工单超期未办结"
    assert "工单超期未办结" in body["markdown"]["text"]


def test_without_email_url_notices_stay_in_the_app(
    settings, clerk, django_capture_on_commit_callbacks
):
    settings.EMAIL_URL = ""
    clerk.email = "li@example.cn"
    clerk.save()

    (notice,) = send([reminder(clerk)], django_capture_on_commit_callbacks)

    assert notice.pk is not None  # the bell shows it
    assert not Delivery.objects.exists()


def test_a_reminder_goes_by_email_only_and_not_to_the_group(
    smtp: Smtp,  # noqa: F811
    robot: Robot,  # noqa: F811
    clerk,
    unit,
    django_capture_on_commit_callbacks,
):
    clerk.email = "li@example.cn"
    clerk.save()
    unit.robot_webhook_url = robot.url()
    unit.save()

    send([reminder(clerk)], django_capture_on_commit_callbacks)

    assert [m.to for m in smtp.wait_for(1)] == [["li@example.cn"]]
    assert robot.posts == []


def test_a_person_who_turned_email_off_gets_none(
    smtp: Smtp,  # noqa: F811
    clerk,
    django_capture_on_commit_callbacks,
):
    clerk.email = "li@example.cn"
    clerk.save()
    NoticePreference.objects.create(user=clerk, by_email=False)

    send([reminder(clerk)], django_capture_on_commit_callbacks)

    assert not Delivery.objects.exists()
    assert smtp.inbox == []


def test_dispatching_a_notice_twice_sends_it_once(
    smtp: Smtp,  # noqa: F811
    clerk,
    django_capture_on_commit_callbacks,
):
    clerk.email = "li@example.cn"
    clerk.save()
    (notice,) = send([reminder(clerk)], django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        again = dispatch([notice])

    assert again == []
    assert len(smtp.wait_for(1)) == 1
    assert Delivery.objects.get().attempts == 1


def test_a_refused_post_is_retried_after_its_backoff_and_sent_once(
    robot: Robot,  # noqa: F811
    commander,
    unit,
    django_capture_on_commit_callbacks,
):
    # given: the robot answers 500 first, then 200
    unit.robot_webhook_url = robot.url()
    unit.save()
    robot.answers = [500]

    # when: the escalation goes out
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        send([escalation(commander, unit)], django_capture_on_commit_callbacks)

        # then: the first send failed and waits for its backoff
        row = Delivery.objects.get()
        assert row.status == DeliveryStatus.PENDING
        assert row.attempts == 1
        assert "500" in row.last_error
        assert row.next_attempt_at >= start + delivery.BACKOFF_FIRST
        assert retry_deliveries_task() == 0  # not due yet

    # when: the sweep runs after the backoff
    with time_machine.travel(start + dt.timedelta(seconds=45), tick=True):
        assert retry_deliveries_task() == 1

    # then: sent on the second attempt, posted twice in all (the refused one, the good one)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert row.attempts == 2
    assert row.last_error == ""
    assert len(robot.posts) == 2
    assert robot.posts[0].body == robot.posts[1].body


def test_an_errcode_in_a_200_answer_is_a_failure(
    robot: Robot,  # noqa: F811
    commander,
    unit,
    django_capture_on_commit_callbacks,
):
    unit.robot_webhook_url = robot.url()
    unit.save()
    robot.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]

    send([escalation(commander, unit)], django_capture_on_commit_callbacks)

    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.PENDING
    assert "93000" in row.last_error


def test_after_the_last_attempt_a_delivery_is_failed(
    robot: Robot,  # noqa: F811
    settings,
    commander,
    unit,
    django_capture_on_commit_callbacks,
):
    settings.NOTICE_RETRY_MAX = 2
    unit.robot_webhook_url = robot.url()
    unit.save()
    robot.answers = [503, 503, 503]
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        send([escalation(commander, unit)], django_capture_on_commit_callbacks)
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=True):
        retry_deliveries_task()
    with time_machine.travel(start + dt.timedelta(hours=2), tick=True):
        assert retry_deliveries_task() == 0  # nothing left to try

    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.FAILED
    assert row.attempts == 2
    assert "503" in row.last_error
    assert len(robot.posts) == 2


@pytest.mark.django_db(transaction=True)
def test_a_hanging_robot_times_out_without_holding_up_a_mail(
    smtp: Smtp,  # noqa: F811
    robot: Robot,  # noqa: F811
    clerk,
    commander,
    unit,
    monkeypatch,
):
    # given: the robot hangs 3 s on its first post; the timeout is 1 s
    unit.robot_webhook_url = robot.url()
    unit.save()
    clerk.email = "li@example.cn"
    clerk.save()
    robot.answers = ["hang"]
    monkeypatch.setattr(dispatch_module, "enqueue", lambda pk: None)  # the workers below
    create_notices([escalation(commander, unit), reminder(clerk)])
    hanging = Delivery.objects.get(channel=DeliveryChannel.WEBHOOK)
    mail = Delivery.objects.get(channel=DeliveryChannel.EMAIL)

    # when: one worker sends the robot's delivery while another sends the mail
    outcomes: dict[str, delivery.Outcome] = {}
    began = time.monotonic()
    worker = threading.Thread(
        target=lambda: outcomes.setdefault("robot", delivery.deliver(hanging.pk))
    )
    worker.start()
    time.sleep(0.1)  # the robot's post is under way
    outcomes["mail"] = delivery.deliver(mail.pk)
    mailed_after = time.monotonic() - began
    worker.join(10)

    # then: the mail went out at once; the robot's delivery timed out and waits to retry
    assert outcomes["mail"].status == DeliveryStatus.SENT
    assert mailed_after < 1.0
    assert smtp.inbox[0].at - began < 1.0
    assert outcomes["robot"].status == DeliveryStatus.PENDING
    hanging.refresh_from_db()
    assert hanging.status == DeliveryStatus.PENDING
    assert "timed out" in hanging.last_error
    assert hanging.next_attempt_at is not None

    # and: retried later, the robot answers and it is sent
    with time_machine.travel(hanging.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        assert retry_deliveries_task() == 1
    hanging.refresh_from_db()
    assert hanging.status == DeliveryStatus.SENT
    assert hanging.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_delivery_being_sent_is_not_sent_again(
    robot: Robot,  # noqa: F811
    commander,
    unit,
    monkeypatch,
):
    # given: a worker has claimed the delivery and its post is under way (the robot hangs)
    unit.robot_webhook_url = robot.url()
    unit.save()
    robot.answers = ["hang"]
    robot.hang_seconds = 0.5
    monkeypatch.setattr(dispatch_module, "enqueue", lambda pk: None)  # the workers below
    create_notices([escalation(commander, unit)])
    row = Delivery.objects.get()
    first = threading.Thread(target=delivery.deliver, args=[row.pk])
    first.start()
    time.sleep(0.2)

    # when: a second worker is handed the same delivery (a sweep, a redelivered task)
    second = delivery.deliver(row.pk)
    first.join(5)

    # then: it skips it; one post in all
    assert second.status == "skipped"
    assert len(robot.posts) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert row.attempts == 1


def test_only_web_addresses_are_posted_to():
    with pytest.raises(channels.ChannelError):
        channels.post_webhook("file:///etc/passwd", {"msgtype": "markdown"})


def test_stored_payload_is_what_is_sent(
    smtp: Smtp,  # noqa: F811
    clerk,
    django_capture_on_commit_callbacks,
):
    clerk.email = "li@example.cn"
    clerk.save()
    send([reminder(clerk)], django_capture_on_commit_callbacks)

    row = Delivery.objects.get()
    stored = row.payload
    (mail,) = smtp.wait_for(1)
    assert stored["text"].strip() == mail.text.replace("\r\n", "\n").strip()
    assert row.subject == mail.subject
