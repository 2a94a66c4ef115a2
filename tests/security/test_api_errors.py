"""The API's errors as a client meets them, and as the schema describes them: JSON for a
URL that matches nothing, 400 for a page size, a yes/no filter, a sort or a time the API
cannot use, no HTML rendering, and every operation's error answers in /api/schema/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.hazards.factories import HazardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client, clerk):  # type: ignore[no-untyped-def]
    client.force_login(clerk)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_a_url_under_the_api_that_matches_nothing_answers_json(api_as, clerk, client):
    response = api_as(clerk).get("/api/v1/hazards/hazards/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
    # a page keeps the HTML page
    client.force_login(clerk)
    page = client.get("/hazards/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("size", ["abc", "0", "-3", "null", "12.0", " 12"])
def test_a_page_size_that_is_no_count_is_refused(api_as, clerk, size):
    response = api_as(clerk).get("/api/v1/hazards/hazards/", {"page_size": size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_an_empty_page_size_is_the_default_and_a_large_one_is_capped(api_as, clerk, unit):
    HazardFactory.create_batch(3, unit=unit)
    client = api_as(clerk)
    assert len(client.get("/api/v1/hazards/hazards/", {"page_size": ""}).json()["results"]) == 3
    assert client.get("/api/v1/hazards/hazards/", {"page_size": "5000"}).status_code == 200
    queue = client.get("/api/v1/petitions/tickets/queue/", {"page_size": "x"})
    assert queue.status_code == 400 and list(queue.json()) == ["page_size"]


def test_a_yes_no_filter_takes_true_false_or_nothing(api_as, clerk, unit):
    HazardFactory(unit=unit)
    client = api_as(clerk)
    assert client.get("/api/v1/hazards/hazards/", {"is_open": "true"}).json()["count"] == 1
    assert client.get("/api/v1/hazards/hazards/", {"is_open": ""}).json()["count"] == 1
    refused = client.get("/api/v1/hazards/hazards/", {"is_open": "maybe"})
    assert refused.status_code == 400 and list(refused.json()) == ["is_open"]


def test_a_sort_with_an_empty_column_is_refused(api_as, clerk):
    refused = api_as(clerk).get("/api/v1/hazards/key-vehicles/", {"sort": "plate,,"})
    assert refused.status_code == 400 and list(refused.json()) == ["sort"]


def test_the_api_answers_json_only(api_as, clerk):
    response = api_as(clerk).get("/api/v1/hazards/hazards/", HTTP_ACCEPT="text/html")
    assert not response["Content-Type"].startswith("text/html")


def test_a_time_before_1950_is_refused(api_as, officer):
    response = api_as(officer).post(
        "/api/v1/brigade/patrols/",
        {"mode": "foot", "started_at": dt.datetime(202, 4, 21, 12, 0).isoformat() + "+08:00"},
        format="json",
    )
    assert response.status_code == 400
    assert "started_at" in response.json()


# --- the schema ---------------------------------------------------------------------------


def _operations(schema):  # type: ignore[no-untyped-def]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_operation_documents_its_errors(schema):
    missing = []
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        secured = any(operation.get("security", [{}]))
        want = {"401", "403"} if secured else set()
        if "{" in path:
            want.add("404")
        if "requestBody" in operation:
            want |= {"400", "415"}
        if method in ("put", "patch", "delete", "post") and secured:
            want.add("409")
        if any(
            p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", [])
        ):
            want.add("412")
        missing += [f"{method.upper()} {path}: {code}" for code in sorted(want - codes)]
    assert not missing, missing


def test_error_bodies_are_described(schema):
    detail = schema["components"]["schemas"]["Detail"]
    assert detail["required"] == ["detail"]
    put = schema["paths"]["/api/v1/hazards/hazards/{id}/"]["put"]["responses"]
    assert put["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Conflict")
    listing = schema["paths"]["/api/v1/hazards/hazards/"]["get"]["responses"]
    assert {"400", "404"} <= set(listing)  # a bad filter, a page past the end


def test_times_of_day_and_enums_are_described_as_sent(schema):
    components = schema["components"]["schemas"]
    start = components["DutyPost"]["properties"]["start_time"]
    assert start["format"] == "partial-time" and "pattern" in start
    assert {"HazardsSeverityEnum", "IncidentsSeverityEnum"} <= set(components)
    assert "SeverityEnum" not in components


def test_a_count_too_large_for_the_database_is_refused(api_as, commander, unit):
    from tests.outreach.factories import PublicityEventFactory

    event = PublicityEventFactory(unit=unit)
    response = api_as(commander).patch(
        f"/api/v1/outreach/events/{event.pk}/", {"materials": 832676736287329}, format="json"
    )
    # PostgreSQL's integer holds no such number: a 400, not "integer out of range" as a 500
    assert response.status_code == 400
    assert list(response.json()) == ["materials"]
