"""The admin manages the brigade's reference data in the Django admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from brigade.duty.models import Campaign, DutyPost, Leave, Officer, RoadWorksZone, Shift, Unit
from tests.brigade.factories import (
    CampaignFactory,
    DutyPostFactory,
    LeaveFactory,
    OfficerFactory,
    RoadWorksZoneFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("model", "factory", "shown"),
    [
        (Officer, OfficerFactory, "badge_no"),
        (DutyPost, DutyPostFactory, "name"),
        (Shift, ShiftFactory, "officer"),
        (Campaign, CampaignFactory, "name"),
        (RoadWorksZone, RoadWorksZoneFactory, "name"),
        (Leave, LeaveFactory, "reason"),
    ],
)
def test_admin_lists_and_opens_each_record(superuser_client, model, factory, shown):
    record = factory()
    opts = model._meta

    listing = superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    change = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    )

    assert listing.status_code == 200
    assert str(getattr(record, shown)) in listing.text
    assert change.status_code == 200


def test_admin_adds_a_unit(superuser_client):
    response = superuser_client.post(
        reverse("admin:brigade_unit_add"), {"name": "四中队", "code": "sq4", "kind": "squadron"}
    )
    assert response.status_code == 302
    assert Unit.objects.filter(code="sq4", name="四中队").exists()


def test_admin_sets_a_units_group_robot(superuser_client):
    unit = Unit.objects.create(name="五中队", code="sq5")
    url = reverse("admin:brigade_unit_change", args=[unit.pk])
    form = {"name": "五中队", "code": "sq5", "kind": "squadron"}

    refused = superuser_client.post(url, {**form, "robot_webhook_url": "not a url"})
    saved = superuser_client.post(
        url, {**form, "robot_webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
    )

    assert refused.status_code == 200  # the form again, with its error
    assert saved.status_code == 302
    unit.refresh_from_db()
    assert unit.robot_webhook_url.endswith("key=k")


def test_admin_refuses_a_leave_that_ends_before_it_starts(superuser_client):
    officer = OfficerFactory()
    response = superuser_client.post(
        reverse("admin:brigade_leave_add"),
        {"officer": officer.pk, "starts_on": "2022-06-13", "ends_on": "2022-06-12"},
    )
    assert response.status_code == 200
    assert not Leave.objects.exists()


def test_admin_refuses_a_double_booked_shift_with_a_message(superuser_client):
    shift = ShiftFactory()
    start = timezone.localtime(shift.starts_at) + dt.timedelta(hours=1)
    end = start + dt.timedelta(hours=2)

    response = superuser_client.post(
        reverse("admin:brigade_shift_add"),
        {
            "officer": shift.officer.pk,
            "post": shift.post.pk,
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%Y-%m-%d"),
            "ends_at_1": end.strftime("%H:%M:%S"),
            "duty": "",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert Shift.objects.count() == 1
    assert response.context["adminform"].form.errors["starts_at"]
