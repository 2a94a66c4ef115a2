"""The hazard workflow in the services: every transition, refusals naming the state,
photos checked by content, facility works, key-vehicle clearance."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from brigade.core.errors import TransitionNotAllowed
from hazards import services
from hazards.choices import (
    CheckResult,
    Element,
    FacilityKind,
    HazardStatus,
    KeyVehicleReason,
    KeyVehicleStatus,
    PhotoStage,
    Severity,
)
from hazards.models import Hazard, HazardCheck
from tests.hazards.factories import (
    AssignedHazardFactory,
    HazardFactory,
    KeyVehicleFactory,
    RectifiedHazardFactory,
    photo,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_report_with_photos_and_position(unit, officer):
    hazard = services.hazard_report(
        unit=unit,
        element=Element.ROAD,
        road="花园路",
        description="井盖缺失",
        severity=Severity.HIGH,
        latitude="36.456500",
        longitude="116.006000",
        reported_by=officer.officer,
        photos=[photo("a.png"), photo("b.jpg", fmt="JPEG")],
        by=officer,
    )
    assert hazard.status == HazardStatus.REPORTED
    assert hazard.photos.filter(stage=PhotoStage.BEFORE).count() == 2
    assert {p.file.name.rsplit(".", 1)[1] for p in hazard.photos.all()} == {"png", "jpg"}
    assert hazard.history.count() == 1


def test_report_refuses_a_text_file_named_jpg_and_writes_nothing(unit):
    fake = SimpleUploadedFile("scene.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.hazard_report(
            unit=unit, element=Element.ROAD, road="花园路", description="x", photos=[fake]
        )
    assert "photos" in exc.value.message_dict
    assert Hazard.objects.count() == 0


def test_report_refuses_latitude_out_of_range_and_half_a_position(unit):
    with pytest.raises(ValidationError) as exc:
        services.hazard_report(
            unit=unit,
            element=Element.ROAD,
            road="花园路",
            description="x",
            latitude=95,
            longitude=106,
        )
    assert "latitude" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.hazard_report(
            unit=unit, element=Element.ROAD, road="花园路", description="x", latitude=29
        )


def test_full_workflow_to_verified(unit, commander):
    hazard = HazardFactory(unit=unit, severity=Severity.HIGH)
    hazard = services.hazard_assign(hazard=hazard, responsible_party="市政养护所", by=commander)
    assert hazard.status == HazardStatus.ASSIGNED
    # the default deadline follows the severity: 7 days for a serious hazard
    assert hazard.deadline == timezone.localdate() + dt.timedelta(days=7)
    hazard = services.hazard_start(hazard=hazard)
    assert hazard.status == HazardStatus.RECTIFYING
    hazard = services.hazard_rectify(hazard=hazard, measures="设置警示标志", photos=[photo()])
    assert hazard.status == HazardStatus.RECTIFIED
    assert hazard.rectified_on_time is True
    assert hazard.photos.filter(stage=PhotoStage.AFTER).count() == 1
    hazard = services.hazard_verify(hazard=hazard, by=commander)
    assert hazard.status == HazardStatus.VERIFIED
    assert hazard.verified_by == commander
    assert hazard.closed_at is not None
    assert hazard.checks.get().result == CheckResult.PASSED
    # history: report, assign, start, rectify, verify
    assert hazard.history.count() == 5


def test_failed_check_sends_it_back_with_the_reason_kept(unit, commander):
    hazard = RectifiedHazardFactory(unit=unit)
    hazard = services.hazard_fail_check(hazard=hazard, reason="标志设置不规范", by=commander)
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.rectified_at is None
    check = HazardCheck.objects.get(hazard=hazard)
    assert (check.result, check.reason, check.checked_by) == (
        CheckResult.FAILED,
        "标志设置不规范",
        commander,
    )
    # a second rectification and a pass: both checks stay on record
    hazard = services.hazard_rectify(hazard=hazard, measures="重新设置")
    services.hazard_verify(hazard=hazard, by=commander)
    assert list(hazard.checks.values_list("result", flat=True)) == ["failed", "passed"]


def test_fail_check_needs_a_reason(unit, commander):
    hazard = RectifiedHazardFactory(unit=unit)
    with pytest.raises(ValidationError) as exc:
        services.hazard_fail_check(hazard=hazard, reason="  ", by=commander)
    assert "reason" in exc.value.message_dict
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (HazardStatus.REPORTED, "verify"),
        (HazardStatus.ASSIGNED, "verify"),
        (HazardStatus.REJECTED, "rectify"),
        (HazardStatus.VERIFIED, "assign"),
        (HazardStatus.DUPLICATE, "reject"),
    ],
)
def test_transitions_out_of_order_name_the_current_state(unit, commander, status, action):
    hazard = HazardFactory(unit=unit, status=status)
    calls = {
        "verify": lambda: services.hazard_verify(hazard=hazard, by=commander),
        "rectify": lambda: services.hazard_rectify(hazard=hazard, measures="x"),
        "assign": lambda: services.hazard_assign(hazard=hazard, responsible_party="x"),
        "reject": lambda: services.hazard_reject(hazard=hazard, reason="x"),
    }
    with pytest.raises(TransitionNotAllowed) as exc:
        calls[action]()
    assert exc.value.state == status
    assert str(HazardStatus(status).label) in exc.value.message


def test_second_verify_shows_the_verified_hazard_and_writes_nothing(
    unit, commander, brigade_commander
):
    hazard = RectifiedHazardFactory(unit=unit)
    stale = Hazard.objects.get(pk=hazard.pk)
    services.hazard_verify(hazard=hazard, by=commander)
    repeated = services.hazard_verify(hazard=stale, by=brigade_commander, note="again")
    assert repeated.status == HazardStatus.VERIFIED and repeated.verified_by == commander
    assert HazardCheck.objects.filter(hazard=hazard).count() == 1
    assert Hazard.objects.get(pk=hazard.pk).verified_by == commander


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_commanders_verifying_at_once_exactly_one_writes(unit, commander, brigade_commander):
    assert connection.vendor == "postgresql"
    hazard = RectifiedHazardFactory(unit=unit)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def verify(user):  # type: ignore[no-untyped-def]
        from django.db import connection as thread_connection

        try:
            mine = Hazard.objects.get(pk=hazard.pk)
            barrier.wait()
            services.hazard_verify(hazard=mine, by=user)
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=verify, args=(u,)) for u in (commander, brigade_commander)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the second finds it verified: shown as it is, one check recorded
    assert outcomes == ["ok", "ok"]
    assert HazardCheck.objects.filter(hazard=hazard).count() == 1


def test_reject_and_duplicate(unit, other_unit, commander):
    original = HazardFactory(unit=unit)
    copy = HazardFactory(unit=unit)
    with pytest.raises(ValidationError):
        services.hazard_mark_duplicate(hazard=copy, original=copy)
    with pytest.raises(ValidationError):
        services.hazard_mark_duplicate(hazard=copy, original=HazardFactory(unit=other_unit))
    copy = services.hazard_mark_duplicate(hazard=copy, original=original)
    assert (copy.status, copy.duplicate_of) == (HazardStatus.DUPLICATE, original)
    third = HazardFactory(unit=unit)
    with pytest.raises(ValidationError):
        services.hazard_mark_duplicate(hazard=third, original=copy)
    third = services.hazard_reject(hazard=third, reason="非道路隐患")
    assert (third.status, third.rejection_reason) == (HazardStatus.REJECTED, "非道路隐患")


def test_rectified_after_the_deadline_is_not_on_time(unit):
    hazard = AssignedHazardFactory(unit=unit, deadline=timezone.localdate() - dt.timedelta(days=1))
    assert hazard.is_overdue()
    hazard = services.hazard_rectify(hazard=hazard, measures="修复护栏")
    assert hazard.rectified_on_time is False
    # still open (awaiting its check), so still overdue until a commander verifies it
    assert hazard.is_overdue()


def test_assign_refuses_a_past_deadline_and_no_party(unit):
    hazard = HazardFactory(unit=unit)
    with pytest.raises(ValidationError) as exc:
        services.hazard_assign(
            hazard=hazard, responsible_party="x", deadline=timezone.localdate() - dt.timedelta(1)
        )
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.hazard_assign(hazard=hazard, responsible_party="")
    assert "responsible_party" in exc.value.message_dict


def test_facility_work_links_only_a_hazard_of_its_unit(unit, other_unit):
    hazard = HazardFactory(unit=other_unit)
    with pytest.raises(ValidationError) as exc:
        services.facility_work_save(
            unit=unit,
            kind=FacilityKind.SIGNAL,
            quantity=2,
            place="x",
            done_on=timezone.localdate(),
            hazard=hazard,
        )
    assert "hazard" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.facility_work_save(
            unit=unit,
            kind=FacilityKind.SIGNAL,
            quantity=0,
            place="x",
            done_on=timezone.localdate(),
        )
    assert "quantity" in exc.value.message_dict
    work = services.facility_work_save(
        unit=unit,
        kind=FacilityKind.PARKING_BAY,
        quantity=40,
        place="兴华路",
        done_on=timezone.localdate(),
    )
    assert work.quantity == 40


@pytest.mark.parametrize(
    ("reason", "evidence", "missing"),
    [
        (KeyVehicleReason.OVERDUE_INSPECTION, {"scrapping_certificate": "X1"}, "inspection_date"),
        (
            KeyVehicleReason.SCRAPPING,
            {"inspection_date": dt.date(2022, 5, 1)},
            "scrapping_certificate",
        ),
        (KeyVehicleReason.VIOLATIONS, {}, "note"),
    ],
)
def test_a_vehicle_is_cleared_only_with_its_evidence(unit, commander, reason, evidence, missing):
    vehicle = KeyVehicleFactory(unit=unit, reason=reason)
    with pytest.raises(ValidationError) as exc:
        services.key_vehicle_clear(vehicle=vehicle, by=commander, **evidence)
    assert missing in exc.value.message_dict
    vehicle.refresh_from_db()
    assert vehicle.status == KeyVehicleStatus.FLAGGED


def test_clear_and_clear_again(unit, commander):
    vehicle = KeyVehicleFactory(unit=unit, reason=KeyVehicleReason.SCRAPPING)
    vehicle = services.key_vehicle_clear(
        vehicle=vehicle, by=commander, scrapping_certificate="BF2022-0012"
    )
    assert (vehicle.status, vehicle.cleared_by) == (KeyVehicleStatus.CLEARED, commander)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.key_vehicle_clear(vehicle=vehicle, by=commander, scrapping_certificate="x")
    assert exc.value.state == KeyVehicleStatus.CLEARED
