"""/open311/v2/ read by a real GeoReport v2 client library (``georeport``) over HTTP.

The library sends no credentials of its own on reads. With ``OPEN311_PUBLIC`` on it needs
none; off, it is given a ``requests`` session that carries the API token, in the header
or as the spec's ``api_key`` parameter, as a deployment would configure it.
"""

from __future__ import annotations

import importlib
import json

import pytest
import requests
from georeport import GeoReport

from brigade.core.tokens import issue_token
from petitions.choices import TicketStatus
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)
JURISDICTION = "liaocheng.gov.cn"


def _session(monkeypatch, **settings):  # type: ignore[no-untyped-def]
    """The library's ``requests`` replaced by a session (headers, params) of our own."""
    session = requests.Session()
    for name, value in settings.items():
        getattr(session, name).update(value)
    monkeypatch.setattr(importlib.import_module("georeport.georeport"), "requests", session)
    return session


@pytest.fixture
def georeport(live_server, clerk, monkeypatch):
    _session(monkeypatch, headers={"Authorization": f"Token {issue_token(clerk)}"})
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


# --- OPEN311_PUBLIC on: the library as it comes, no credentials ------------------------------


@pytest.fixture
def public(settings):
    settings.OPEN311_PUBLIC = True
    settings.OPEN311_JURISDICTION = JURISDICTION
    return settings


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_client_reads_the_whole_brigade_without_credentials(
    public, live_server, unit, other_unit, output_format
):
    category = TicketCategoryFactory(
        code="parking",
        name="违法停车",
        extra_fields=[{"code": "plate", "description": "车牌号"}],
    )
    mine = TicketFactory(
        unit=unit,
        category=category,
        citizen_name="张三丰",
        citizen_phone="13812345678",
        content="张三丰反映占道停车，回电 138 1234 5678，身份证37150219900101123X",
    )
    theirs = TicketFactory(unit=other_unit, category=category)
    client = GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction=JURISDICTION, output_format=output_format
    )

    services = client.get_service_list()
    services = services if isinstance(services, list) else [services]
    assert [(s["service_code"], str(s["metadata"]).lower()) for s in services] == [
        ("parking", "true")
    ]
    definition = client.get_service_definition("parking")
    attributes = definition["attributes"]
    if output_format == "xml":
        attributes = [attributes["attribute"]]
    assert [a["code"] for a in attributes] == ["plate"]

    every = client.get_service_requests()
    assert {r["service_request_id"] for r in every} == {str(mine.pk), str(theirs.pk)}
    one = client.get_service_request(str(mine.pk))
    assert one["status"] == "open"
    assert one["description"].startswith("张**反映占道停车")
    seen = json.dumps([every, one], ensure_ascii=False)
    for personal in ("张三丰", "13812345678", "138 1234 5678", "5678", "123X"):
        assert personal not in seen


def test_the_client_of_another_jurisdiction_is_refused(public, live_server, unit):
    TicketCategoryFactory(code="parking")
    client = GeoReport(f"{live_server.url}/open311/v2", jurisdiction="sf.gov")
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_list()
    assert caught.value.response.status_code == 404
    assert "sf.gov" in caught.value.response.json()[0]["description"]


# --- OPEN311_PUBLIC off: the token as api_key -------------------------------------------------


def test_without_credentials_the_client_is_refused_when_not_public(live_server, unit):
    client = GeoReport(f"{live_server.url}/open311/v2", output_format="xml")
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_requests()
    assert caught.value.response.status_code == 401
    assert b"<errors><error><code>401</code>" in caught.value.response.content


def test_the_client_reads_with_the_token_as_api_key(
    live_server, clerk, unit, other_unit, monkeypatch
):
    category = TicketCategoryFactory(code="congestion")
    mine = TicketFactory(unit=unit, category=category)
    TicketFactory(unit=other_unit, category=category)
    _session(monkeypatch, params={"api_key": issue_token(clerk)})
    client = GeoReport(f"{live_server.url}/open311/v2", output_format="xml")
    # one request in XML: the library reads it as the request itself
    listed = client.get_service_requests()
    assert listed["service_request_id"] == str(mine.pk)
    assert client.get_service_request(str(mine.pk))["agency_responsible"] == unit.name
