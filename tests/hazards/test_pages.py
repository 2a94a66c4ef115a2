"""The hazards pages: the phone report form (photos, position, prefill from a patrol),
the commander's queue and actions, history, photos served by scope, the map, the key
vehicle and facility-work lists with their Excel exports, and constant query counts."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from brigade.duty.choices import PatrolMode
from hazards.choices import HazardStatus, KeyVehicleStatus, PhotoStage
from hazards.models import Hazard, HazardPhoto
from tests.brigade.factories import PatrolLogFactory
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


def login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_report_form_is_phone_ready(client, officer):
    response = login(client, officer).get("/hazards/report/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'capture="environment"' in html and 'accept="image/*"' in html and "multiple" in html
    # the button reads the position with the page's script (a static file, under the CSP)
    assert 'data-testid="use-position"' in html and "/static/brigade/position.js" in html
    script = finders.find("brigade/position.js")
    assert script and "navigator.geolocation" in Path(script).read_text()
    assert 'name="unit"' not in html  # one unit: nothing to choose


def test_report_from_the_form_with_photo(client, officer, unit):
    response = login(client, officer).post(
        "/hazards/report/",
        {
            "element": "road",
            "road": "花园路",
            "location": "32号门前",
            "description": "井盖缺失",
            "severity": "high",
            "source": "patrol",
            "latitude": "36.456500",
            "longitude": "116.006000",
            "photos": [photo("a.png"), photo("b.jpg", fmt="JPEG")],
        },
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hazards/{hazard.pk}/"
    assert (hazard.unit, hazard.reported_by.user) == (unit, officer)
    assert hazard.photos.count() == 2


def test_report_form_shows_errors(client, officer):
    response = login(client, officer).post(
        "/hazards/report/", {"element": "road", "road": "x", "description": "x", "latitude": "29"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-latitude"' in response.content.decode()
    assert Hazard.objects.count() == 0


def test_report_from_a_patrol_is_prefilled_and_linked(client, officer, other_officer):
    patrol = PatrolLogFactory(officer=officer.officer, mode=PatrolMode.CAR)
    client = login(client, officer)
    response = client.get(f"/hazards/report/?patrol={patrol.pk}")
    assert response.status_code == 200
    assert 'data-testid="hazard-links"' in response.content.decode()
    client.post(
        f"/hazards/report/?patrol={patrol.pk}",
        {"element": "road", "road": "x", "description": "x", "severity": "low", "source": "patrol"},
    )
    assert Hazard.objects.get().patrol == patrol
    detail = client.get(f"/hazards/{Hazard.objects.get().pk}/").content.decode()
    assert 'data-testid="source-patrol"' in detail
    theirs = PatrolLogFactory(officer=other_officer.officer)
    assert client.get(f"/hazards/report/?patrol={theirs.pk}").status_code == 404


def test_queue_page_orders_overdue_first_and_counts(client, commander, unit):
    today = timezone.localdate()
    later = AssignedHazardFactory(unit=unit, deadline=today + dt.timedelta(days=20))
    late = AssignedHazardFactory(unit=unit, deadline=today - dt.timedelta(days=1))
    response = login(client, commander).get("/hazards/")
    rows = [h.pk for h in response.context["object_list"]]
    assert rows == [late.pk, later.pk]
    assert response.context["counts"]["overdue"] == 1
    assert f'data-testid="hazard-overdue-{late.pk}"' in response.content.decode()


def test_commander_assigns_verifies_and_history_shows_it(client, commander, officer, unit):
    hazard = HazardFactory(unit=unit)
    client = login(client, commander)
    response = client.post(
        f"/hazards/{hazard.pk}/assign/", {"responsible_party": "市政养护所", "deadline": ""}
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.ASSIGNED
    # an officer records the rectification; the commander checks it (never their own)
    login(client, officer).post(
        f"/hazards/{hazard.pk}/rectify/", {"measures": "设置警示标志", "photos": [photo()]}
    )
    login(client, commander).post(f"/hazards/{hazard.pk}/verify/", {"note": ""})
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.VERIFIED
    page = client.get(f"/hazards/{hazard.pk}/")
    history = page.context["history"]
    assert [e["action"] for e in history][-1] == "已上报"
    assert any(c["new"] == "市政养护所" for e in history for c in e["changes"])
    # the report came from a factory (no user); every later step names who took it
    assert {e["who"] for e in history[:-1]} == {"commander", "officer"}
    # the after-photo and the passed check are in the history too
    assert {"照片", "验收"} <= {e["action"] for e in history}


def test_a_refused_transition_is_a_message(client, commander, unit):
    hazard = HazardFactory(unit=unit)
    response = login(client, commander).post(f"/hazards/{hazard.pk}/verify/", {}, follow=True)
    assert "已上报" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.REPORTED


def test_fail_check_needs_a_reason_on_the_page(client, commander, unit):
    hazard = RectifiedHazardFactory(unit=unit)
    response = login(client, commander).post(f"/hazards/{hazard.pk}/fail-check/", {"reason": ""})
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()


def test_officer_sees_no_verify_form(client, officer, unit):
    hazard = RectifiedHazardFactory(unit=unit)
    response = login(client, officer).get(f"/hazards/{hazard.pk}/")
    assert 'data-testid="verify-form"' not in response.content.decode()
    assert login(client, officer).post(f"/hazards/{hazard.pk}/verify/").status_code == 403


def test_photos_are_served_only_within_scope(client, officer, other_officer, unit):
    hazard = HazardFactory(unit=unit)
    shot = HazardPhoto.objects.create(hazard=hazard, stage=PhotoStage.BEFORE, file=photo())
    response = login(client, officer).get(f"/hazards/photos/{shot.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login(client, other_officer).get(f"/hazards/photos/{shot.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/hazards/photos/{shot.pk}/").status_code == 302


def test_add_photos_page_refuses_a_text_file(client, officer, unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    hazard = HazardFactory(unit=unit)
    fake = SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")
    response = login(client, officer).post(
        f"/hazards/{hazard.pk}/photos/", {"stage": "before", "photos": [fake]}
    )
    assert response.status_code == 400
    assert HazardPhoto.objects.count() == 0


def test_map_shows_only_visible_open_hazards_with_a_position(client, officer, unit, other_unit):
    mine = HazardFactory(unit=unit, latitude="36.46", longitude="116.00")
    HazardFactory(unit=unit, latitude="36.47", longitude="116.01", status=HazardStatus.VERIFIED)
    HazardFactory(unit=other_unit, latitude="36.45", longitude="115.99")
    HazardFactory(unit=unit)  # no position
    client = login(client, officer)
    response = client.get("/hazards/map/")
    html = response.content.decode()
    assert "vendor/leaflet/leaflet.js" in html
    points = response.context["points"]
    assert [p["id"] for p in points] == [mine.pk]
    assert response.context["without_position"] == 1
    data = json.loads(client.get("/hazards/map/points/").content)
    assert [p["id"] for p in data["points"]] == [mine.pk]


def test_map_uses_tiles_only_when_configured(client, officer, settings):
    settings.MAP_TILE_URL = ""
    response = login(client, officer).get("/hazards/map/")
    assert response.context["map_config"]["tiles"] == ""
    settings.MAP_TILE_URL = "http://tiles.local/{z}/{x}/{y}.png"
    response = client.get("/hazards/map/")
    assert "tiles.local" in response.content.decode()


def _xlsx_rows(response) -> list[tuple]:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_exports_are_scoped_and_filtered(client, commander, unit, other_unit):
    HazardFactory(unit=unit, road="花园路")
    HazardFactory(unit=unit, road="兴华路", status=HazardStatus.VERIFIED)
    HazardFactory(unit=other_unit, road="东昌东路")
    client = login(client, commander)
    rows = _xlsx_rows(client.get("/hazards/?export=xlsx&is_open=true"))
    assert [row[6] for row in rows[1:]] == ["花园路"]
    KeyVehicleFactory(unit=unit, plate="鲁P1")
    KeyVehicleFactory(unit=other_unit, plate="鲁P2")
    rows = _xlsx_rows(client.get("/hazards/key-vehicles/?export=xlsx"))
    assert [row[0] for row in rows[1:]] == ["鲁P1"]
    FacilityWorkFactory(unit=unit, quantity=15)
    rows = _xlsx_rows(client.get("/hazards/facility-works/?export=xlsx"))
    assert [row[3] for row in rows[1:]] == [15]


def test_key_vehicle_cleared_from_the_list(client, commander, unit):
    vehicle = KeyVehicleFactory(unit=unit, reason="scrapping")
    client = login(client, commander)
    client.post(f"/hazards/key-vehicles/{vehicle.pk}/clear/", {"scrapping_certificate": ""})
    vehicle.refresh_from_db()
    assert vehicle.status == KeyVehicleStatus.FLAGGED
    client.post(f"/hazards/key-vehicles/{vehicle.pk}/clear/", {"scrapping_certificate": "BF-1"})
    vehicle.refresh_from_db()
    assert vehicle.status == KeyVehicleStatus.CLEARED
    page = client.get("/hazards/key-vehicles/?status=cleared")
    assert page.context["counts"] == {"flagged": 0, "cleared": 1}


def test_facility_work_form_and_totals(client, commander, unit):
    client = login(client, commander)
    response = client.post(
        "/hazards/facility-works/new/",
        {"kind": "parking_bay", "quantity": "40", "place": "兴华路", "done_on": "2022-05-01"},
    )
    assert response.status_code == 302
    FacilityWorkFactory(unit=unit, kind="parking_bay", quantity=20)
    page = client.get("/hazards/facility-works/?kind=parking_bay")
    assert [t["total"] for t in page.context["totals"]] == [60]


def test_sorting_a_list(client, commander, unit):
    a = HazardFactory(unit=unit, road="A路")
    b = HazardFactory(unit=unit, road="B路")
    page = login(client, commander).get("/hazards/?sort=-road")
    assert [h.pk for h in page.context["object_list"]] == [b.pk, a.pk]


def test_duty_page_offers_report_a_hazard(client, officer):
    html = login(client, officer).get("/duty/").content.decode()
    assert 'data-testid="quick-report-hazard"' in html


def test_dashboard_panel_lists_overdue_and_awaiting(client, commander, unit):
    late = AssignedHazardFactory(unit=unit, deadline=timezone.localdate() - dt.timedelta(days=3))
    waiting = RectifiedHazardFactory(unit=unit)
    from brigade.core.kpi import engine

    engine.recompute_all()  # the dashboard shows its panels once figures exist
    html = login(client, commander).get("/dashboard/").content.decode()
    assert 'data-testid="panel-hazards"' in html
    assert f"/hazards/{late.pk}/" in html and f"/hazards/{waiting.pk}/" in html


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/hazards/", lambda unit: RectifiedHazardFactory(unit=unit)),
        ("/hazards/key-vehicles/", lambda unit: KeyVehicleFactory(unit=unit)),
        ("/hazards/facility-works/", lambda unit: FacilityWorkFactory(unit=unit)),
        ("/hazards/map/", lambda unit: HazardFactory(unit=unit, latitude=29, longitude=106)),
    ],
)
def test_list_pages_run_as_many_queries_for_one_row_as_for_many(
    client, commander, unit, path, make
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(client, commander)
    make(unit)
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    for _ in range(8):
        make(unit)
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(one) == len(many), path


def test_detail_page_query_count_is_constant(client, commander, unit, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hazard = RectifiedHazardFactory(unit=unit)
    client = login(client, commander)
    client.get(f"/hazards/{hazard.pk}/")  # warm up (the content types' cache)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/hazards/{hazard.pk}/")
    for _ in range(5):
        HazardPhoto.objects.create(hazard=hazard, stage=PhotoStage.AFTER, file=photo())
    hazard.description = "改"
    hazard.save()
    with CaptureQueriesContext(connection) as more:
        client.get(f"/hazards/{hazard.pk}/")
    assert len(few) == len(more)


def test_lists_are_paginated(client, commander, unit):
    for _ in range(27):
        HazardFactory(unit=unit)
    client = login(client, commander)
    first = client.get("/hazards/")
    assert len(first.context["object_list"]) == 25
    assert first.context["paginator"].count == 27
    second = client.get("/hazards/?page=2")
    assert len(second.context["object_list"]) == 2


@pytest.mark.parametrize("rows", [1, 9])
def test_dashboard_panel_runs_four_queries(commander, unit, rows, django_assert_num_queries):
    from brigade.core.scope import scope_of
    from hazards.panels import panel_context

    for _ in range(rows):
        AssignedHazardFactory(unit=unit, deadline=timezone.localdate() - dt.timedelta(days=1))
        RectifiedHazardFactory(unit=unit)
    scope_of(commander)  # the user's scope is read once per request, before any panel
    with django_assert_num_queries(4):
        context = panel_context(commander, None)
    assert (context["overdue_count"], context["awaiting_count"]) == (rows, rows)
    assert len(context["overdue"]) == min(rows, 5)


def test_panel_is_hidden_from_officers(officer):
    from hazards.panels import panel_context

    assert panel_context(officer, None) is None


def test_key_vehicle_page_shows_its_clearance_and_reopening_in_history(client, commander, unit):
    from hazards import services

    vehicle = KeyVehicleFactory(unit=unit, reason="overdue_inspection")
    client = login(client, commander)
    response = client.post(
        f"/hazards/key-vehicles/{vehicle.pk}/clear/", {"inspection_date": "2022-05-20"}
    )
    assert response["Location"] == f"/hazards/key-vehicles/{vehicle.pk}/"
    csv = f"号牌号码,原因\n{vehicle.plate},逾期未检验\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.key_vehicles_import(upload=SimpleUploadedFile("r.csv", csv), unit=unit, by=commander)
    page = client.get(f"/hazards/key-vehicles/{vehicle.pk}/")
    statuses = [
        c["new"] for e in page.context["history"] for c in e["changes"] if c["field"] == "状态"
    ]
    assert statuses == ["待清零", "已清零"]  # newest first: reopened after being cleared
    assert 'data-testid="clear-form"' in page.content.decode()


def test_another_units_key_vehicle_is_404(client, commander, other_unit):
    vehicle = KeyVehicleFactory(unit=other_unit)
    assert login(client, commander).get(f"/hazards/key-vehicles/{vehicle.pk}/").status_code == 404


def test_commander_corrects_a_report_and_history_shows_it(client, commander, officer, unit):
    hazard = HazardFactory(unit=unit, road="花园路", severity="medium")
    client = login(client, commander)
    assert client.get(f"/hazards/{hazard.pk}/edit/").status_code == 200
    response = client.post(
        f"/hazards/{hazard.pk}/edit/",
        {"element": "road", "severity": "high", "road": "东昌东路", "description": "护栏缺损"},
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.road, hazard.severity) == ("东昌东路", "high")
    history = client.get(f"/hazards/{hazard.pk}/").context["history"]
    assert {"field": "道路", "old": "花园路", "new": "东昌东路"} in history[0]["changes"]
    # a closed hazard is not corrected any more
    hazard.status = HazardStatus.VERIFIED
    hazard.save()
    client.post(
        f"/hazards/{hazard.pk}/edit/",
        {"element": "road", "severity": "low", "road": "x", "description": "x"},
    )
    hazard.refresh_from_db()
    assert hazard.road == "东昌东路"
    assert login(client, officer).get(f"/hazards/{hazard.pk}/edit/").status_code == 403
