"""The hazards API: reports with photos, the workflow over HTTP with its error answers,
scoping, key vehicles, facility works, filters and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazards.choices import HazardStatus, KeyVehicleReason, KeyVehicleStatus, Severity
from hazards.models import Hazard, HazardCheck, HazardPhoto
from tests.hazards.factories import (
    AssignedHazardFactory,
    FacilityWorkFactory,
    HazardFactory,
    KeyVehicleFactory,
    RectifiedHazardFactory,
    photo,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

LIST = "/api/v1/hazards/hazards/"


def url(pk: int, action: str = "") -> str:
    return f"{LIST}{pk}/{action + '/' if action else ''}"


def test_officer_reports_with_photos_multipart(api_as, officer, unit):
    response = api_as(officer).post(
        LIST,
        {
            "element": "road",
            "road": "花园路",
            "description": "井盖缺失",
            "severity": "high",
            "latitude": "36.4565",
            "longitude": "116.006",
            "photos": [photo("a.png"), photo("b.png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "reported"
    assert body["unit"]["id"] == unit.pk
    assert body["reported_by"]["name"] == "officer"
    assert len(body["photos"]) == 2
    assert body["photos"][0]["url"].startswith("/hazards/photos/")


def test_report_refuses_a_text_file_named_jpg_and_bad_latitude(api_as, officer):
    fake = SimpleUploadedFile("scene.jpg", b"plain text", content_type="image/jpeg")
    response = api_as(officer).post(
        LIST,
        {"element": "road", "road": "x", "description": "x", "photos": [fake]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "photos" in response.json()
    response = api_as(officer).post(
        LIST,
        {"element": "road", "road": "x", "description": "x", "latitude": 91, "longitude": 0},
        format="json",
    )
    assert response.status_code == 400
    assert "latitude" in response.json()
    assert Hazard.objects.count() == 0


def test_a_png_named_txt_is_accepted(api_as, officer):
    named_txt = photo("notes.txt")
    response = api_as(officer).post(
        LIST,
        {"element": "road", "road": "x", "description": "x", "photos": [named_txt]},
        format="multipart",
    )
    assert response.status_code == 201
    assert HazardPhoto.objects.get().file.name.endswith(".png")


def test_an_oversized_photo_is_refused(api_as, officer, settings):
    settings.UPLOAD_MAX_BYTES = 50
    response = api_as(officer).post(
        LIST,
        {"element": "road", "road": "x", "description": "x", "photos": [photo()]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "MB" in str(response.json()["photos"])


def test_workflow_over_http(api_as, officer, commander, unit):
    hazard = HazardFactory(unit=unit, severity=Severity.CRITICAL)
    response = api_as(commander).post(
        url(hazard.pk, "assign"), {"responsible_party": "市政养护所"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["deadline"] == str(timezone.localdate() + dt.timedelta(days=3))
    response = api_as(officer).post(
        url(hazard.pk, "rectify"),
        {"measures": "设置警示桩", "photos": [photo()]},
        format="multipart",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rectified"
    # an officer cannot verify
    assert api_as(officer).post(url(hazard.pk, "verify"), {}, format="json").status_code == 403
    response = api_as(commander).post(url(hazard.pk, "verify"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert [c["result"] for c in response.json()["checks"]] == ["passed"]


def test_out_of_order_is_409_naming_the_state(api_as, commander, officer, unit):
    hazard = HazardFactory(unit=unit)
    response = api_as(commander).post(url(hazard.pk, "verify"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["state"] == "reported"
    rejected = HazardFactory(unit=unit, status=HazardStatus.REJECTED)
    response = api_as(officer).post(url(rejected.pk, "rectify"), {"measures": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["state"] == "rejected"


def test_double_verify_the_second_shows_the_verified_hazard(
    api_as, commander, brigade_commander, unit
):
    hazard = RectifiedHazardFactory(unit=unit)
    assert api_as(commander).post(url(hazard.pk, "verify"), {}, format="json").status_code == 200
    response = api_as(brigade_commander).post(url(hazard.pk, "verify"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert HazardCheck.objects.filter(hazard=hazard).count() == 1


def test_fail_check_reject_duplicate(api_as, commander, unit):
    hazard = RectifiedHazardFactory(unit=unit)
    response = api_as(commander).post(url(hazard.pk, "fail-check"), {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = api_as(commander).post(
        url(hazard.pk, "fail-check"), {"reason": "警示标志缺失"}, format="json"
    )
    assert response.json()["status"] == "rectifying"
    assert response.json()["checks"][0]["reason"] == "警示标志缺失"
    first, second = HazardFactory(unit=unit), HazardFactory(unit=unit)
    response = api_as(commander).post(
        url(second.pk, "duplicate"), {"original": first.pk}, format="json"
    )
    assert (response.json()["status"], response.json()["duplicate_of"]) == ("duplicate", first.pk)
    response = api_as(commander).post(url(first.pk, "reject"), {"reason": "非隐患"}, format="json")
    assert response.json()["rejection_reason"] == "非隐患"


def test_other_units_hazards_are_404_and_not_listed(api_as, commander, other_unit, unit):
    mine = HazardFactory(unit=unit)
    theirs = HazardFactory(unit=other_unit)
    client = api_as(commander)
    assert client.get(url(theirs.pk)).status_code == 404
    assert client.post(url(theirs.pk, "assign"), {"responsible_party": "x"}).status_code == 404
    ids = [row["id"] for row in client.get(LIST).json()["results"]]
    assert ids == [mine.pk]


def test_duplicate_of_another_units_hazard_is_400(api_as, commander, unit, other_unit):
    hazard = HazardFactory(unit=unit)
    theirs = HazardFactory(unit=other_unit)
    response = api_as(commander).post(
        url(hazard.pk, "duplicate"), {"original": theirs.pk}, format="json"
    )
    assert response.status_code == 400
    assert "original" in response.json()


def test_status_and_unit_are_not_writable(api_as, commander, unit):
    hazard = HazardFactory(unit=unit)
    response = api_as(commander).patch(
        url(hazard.pk), {"status": "verified", "road": "东昌东路"}, format="json"
    )
    assert response.status_code == 200
    hazard.refresh_from_db()
    assert (hazard.status, hazard.road) == ("reported", "东昌东路")


def test_filters_and_queue_order(api_as, commander, unit):
    today = timezone.localdate()
    later = AssignedHazardFactory(unit=unit, deadline=today + dt.timedelta(days=20))
    soon = AssignedHazardFactory(unit=unit, deadline=today + dt.timedelta(days=1))
    late = AssignedHazardFactory(unit=unit, deadline=today - dt.timedelta(days=2))
    done = HazardFactory(unit=unit, status=HazardStatus.VERIFIED)
    client = api_as(commander)
    ids = [row["id"] for row in client.get(LIST).json()["results"]]
    assert ids == [late.pk, soon.pk, later.pk, done.pk]
    overdue = client.get(LIST, {"overdue": "true"}).json()["results"]
    assert [row["id"] for row in overdue] == [late.pk]
    assert overdue[0]["is_overdue"] is True
    assert client.get(LIST, {"status": "verified"}).json()["count"] == 1
    ids = [row["id"] for row in client.get(LIST, {"sort": "-deadline"}).json()["results"]]
    assert ids[:3] == [later.pk, soon.pk, late.pk]


@pytest.mark.parametrize("rows", [1, 6])
def test_list_query_count_is_constant(api_as, commander, unit, django_assert_num_queries, rows):
    for _ in range(rows):
        hazard = RectifiedHazardFactory(unit=unit)
        HazardPhoto.objects.create(hazard=hazard, stage="before", file=photo())
    client = api_as(commander)
    client.get(LIST)  # warm the scope cache of the user object
    # count, rows, photos, checks: the same for one row as for many
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert response.json()["count"] == rows


def test_key_vehicle_clear_over_http(api_as, commander, officer, unit):
    vehicle = KeyVehicleFactory(unit=unit, reason=KeyVehicleReason.OVERDUE_INSPECTION)
    path = f"/api/v1/hazards/key-vehicles/{vehicle.pk}/clear/"
    assert api_as(officer).post(path, {}, format="json").status_code == 403
    response = api_as(commander).post(path, {}, format="json")
    assert response.status_code == 400
    assert "inspection_date" in response.json()
    response = api_as(commander).post(path, {"inspection_date": "2022-05-20"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == KeyVehicleStatus.CLEARED
    assert response.json()["inspection_date"] == "2022-05-20"
    assert (
        api_as(commander).post(path, {"inspection_date": "2022-05-20"}, format="json").status_code
        == 409
    )


def test_facility_works_api(api_as, commander, officer, unit, other_unit):
    path = "/api/v1/hazards/facility-works/"
    hazard = HazardFactory(unit=other_unit)
    response = api_as(commander).post(
        path,
        {
            "unit": unit.pk,
            "kind": "signal",
            "quantity": 3,
            "place": "兴华路",
            "done_on": "2022-05-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["quantity"] == 3
    # another unit's hazard is not even a valid choice
    response = api_as(commander).post(
        path,
        {
            "unit": unit.pk,
            "kind": "signal",
            "quantity": 1,
            "place": "x",
            "done_on": "2022-05-01",
            "hazard": hazard.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "hazard" in response.json()
    response = api_as(commander).post(
        path,
        {"unit": unit.pk, "kind": "signal", "quantity": 0, "place": "x", "done_on": "2022-05-01"},
        format="json",
    )
    assert response.status_code == 400
    assert api_as(officer).post(path, {}, format="json").status_code == 403
    FacilityWorkFactory(unit=other_unit)
    assert api_as(commander).get(path).json()["count"] == 1


def test_a_closed_hazard_cannot_be_edited_over_the_api(api_as, commander, unit):
    hazard = HazardFactory(unit=unit, status=HazardStatus.VERIFIED)
    response = api_as(commander).patch(url(hazard.pk), {"road": "东昌东路"}, format="json")
    assert response.status_code == 409
    assert response.json()["state"] == "verified"


# --- the date window (brigade/core/dates.py) ------------------------------------------------------


@pytest.mark.parametrize("found_at", ["0001-01-01T09:00:00+08:00", "2999-01-01T09:00:00+08:00"])
def test_a_hazard_found_outside_the_window_is_400(api_as, officer, found_at):
    body = {"element": "road", "road": "花园路", "description": "井盖缺失", "found_at": found_at}
    response = api_as(officer).post(LIST, body, format="json")
    assert response.status_code == 400
    assert "2000-01-01" in " ".join(response.json()["found_at"])
    assert not Hazard.objects.exists()


@pytest.mark.parametrize("done_on", ["0001-01-01", "9999-12-31"])
def test_facility_work_outside_the_window_is_400(api_as, commander, unit, done_on):
    body = {"unit": unit.pk, "kind": "signal", "quantity": 3, "place": "兴华路", "done_on": done_on}
    response = api_as(commander).post("/api/v1/hazards/facility-works/", body, format="json")
    assert response.status_code == 400 and "done_on" in response.json()


def test_a_key_vehicle_inspected_tomorrow_is_400(api_as, commander, unit):
    vehicle = KeyVehicleFactory(unit=unit, reason=KeyVehicleReason.OVERDUE_INSPECTION)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api_as(commander).post(
        f"/api/v1/hazards/key-vehicles/{vehicle.pk}/clear/",
        {"inspection_date": tomorrow},
        format="json",
    )
    assert response.status_code == 400 and "inspection_date" in response.json()
    vehicle.refresh_from_db()
    assert vehicle.status == KeyVehicleStatus.FLAGGED
