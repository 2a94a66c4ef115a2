"""The admin's view of the notices: the notices and the delivery log are read-only lists,
people's choices and mutes are managed, a unit's group robot is set on the unit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from brigade.core.notices.models import Delivery, DeliveryChannel, DeliveryStatus, NoticeKind
from tests.brigade.factories import UnitFactory, UserFactory
from tests.brigade.notice_factories import make_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_notices_are_listed_filtered_and_never_edited(superuser_client, officer):
    notice = make_notice(officer, title="督办：工单逾期", kind=NoticeKind.ESCALATION, level=1)
    make_notice(officer, title="提醒：今日签收")
    listing = superuser_client.get(
        reverse("admin:brigade_notice_changelist"), {"kind__exact": "escalation"}
    )
    assert listing.status_code == 200
    assert "督办：工单逾期" in listing.text
    assert "提醒：今日签收" not in listing.text
    assert superuser_client.get(reverse("admin:brigade_notice_add")).status_code == 403
    change = superuser_client.post(
        reverse("admin:brigade_notice_change", args=[notice.pk]), {"title": "改"}
    )
    assert change.status_code == 403


def test_the_delivery_log_shows_who_what_channel_when_and_result(superuser_client, officer):
    notice = make_notice(officer, title="提醒")
    Delivery.objects.create(
        notice=notice,
        channel=DeliveryChannel.EMAIL,
        target="officer@brigade.example",
        key=f"notice:{notice.pk}",
        subject="今日待办",
        status=DeliveryStatus.FAILED,
        attempts=3,
        last_error="connection refused",
    )
    listing = superuser_client.get(
        reverse("admin:brigade_delivery_changelist"), {"status__exact": "failed"}
    )
    assert listing.status_code == 200
    assert "officer@brigade.example" in listing.text
    assert "今日待办" in listing.text
    assert superuser_client.get(reverse("admin:brigade_delivery_add")).status_code == 403


def test_preferences_and_mutes_have_their_lists(superuser_client):
    for name in ("noticepreference", "noticemute"):
        assert superuser_client.get(reverse(f"admin:brigade_{name}_changelist")).status_code == 200


def test_a_units_group_robot_is_set_on_the_unit(superuser_client):
    unit = UnitFactory(code="sq9", name="九中队")
    page = superuser_client.get(reverse("admin:brigade_unit_change", args=[unit.pk]))
    assert 'name="robot_webhook_url"' in page.text
    response = superuser_client.post(
        reverse("admin:brigade_unit_change", args=[unit.pk]),
        {
            "code": "sq9",
            "name": "九中队",
            "kind": unit.kind,
            "robot_webhook_url": "https://robot.example/hook/sq9",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.robot_webhook_url == "https://robot.example/hook/sq9"
