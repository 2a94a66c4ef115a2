"""/open311/v2/ read by a real GeoReport v2 client library (``georeport``) over HTTP.

The library sends no credentials of its own on reads, so it is given a ``requests``
session that carries the API token header, as a deployment would configure it.
"""

from __future__ import annotations

import importlib

import pytest
import requests
from georeport import GeoReport

from brigade.core.tokens import issue_token
from petitions.choices import TicketStatus
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def georeport(live_server, clerk, monkeypatch):
    token = issue_token(clerk)
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    monkeypatch.setattr(importlib.import_module("georeport.georeport"), "requests", session)
    return GeoReport(f"{live_server.url}/open311/v2/")


def test_the_client_lists_services_and_requests(georeport, unit, other_unit):
    category = TicketCategoryFactory(code="congestion", name="交通拥堵")
    open_one = TicketFactory(unit=unit, category=category)
    closed_one = TicketFactory(
        unit=unit, category=category, status=TicketStatus.CLOSED, next_due=None
    )
    TicketFactory(unit=other_unit, category=category)  # another unit's: not listed

    services = georeport.get_service_list()
    assert [(s["service_code"], s["service_name"]) for s in services] == [
        ("congestion", "交通拥堵")
    ]
    every = georeport.get_service_requests()
    assert {r["service_request_id"] for r in every} == {str(open_one.pk), str(closed_one.pk)}
    only_open = georeport.get_service_requests(status="open", service_code="congestion")
    assert [r["service_request_id"] for r in only_open] == [str(open_one.pk)]
    one = georeport.get_service_request(str(closed_one.pk))
    assert one["status"] == "closed"
    assert one["agency_responsible"] == unit.name


def test_the_client_sees_404_for_another_units_request(georeport, other_unit):
    theirs = TicketFactory(unit=other_unit)
    with pytest.raises(requests.HTTPError) as caught:
        georeport.get_service_request(str(theirs.pk))
    assert caught.value.response.status_code == 404
    assert caught.value.response.json()[0]["code"] == 404
