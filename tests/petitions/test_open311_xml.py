"""The ``.xml`` answers of /open311/v2/ read by a plain XML parser (``xml.etree``), each
held against the GeoReport v2 spec's example of that call: the same root, the same element
names in the same nesting, values of the spec's kinds."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from brigade.core.tokens import issue_token
from petitions.choices import TicketStatus
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db

# The spec's examples (wiki.open311.org/GeoReport_v2), their structure kept, values ours.
SPEC_SERVICES = """<?xml version="1.0" encoding="utf-8"?>
<services>
  <service>
    <service_code>001</service_code>
    <service_name>Cans left out 24x7</service_name>
    <description>Garbage or recycling cans that have been left out.</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>lorem, ipsum, dolor</keywords>
    <group>sanitation</group>
  </service>
</services>"""
SPEC_DEFINITION = """<?xml version="1.0" encoding="utf-8"?>
<service_definition>
  <service_code>DMV66</service_code>
  <attributes>
    <attribute>
      <variable>true</variable>
      <code>WHISHETN</code>
      <datatype>singlevaluelist</datatype>
      <required>true</required>
      <datatype_description></datatype_description>
      <order>1</order>
      <description>What is the ticket/tag/DL number?</description>
      <values>
        <value>
          <key>123</key>
          <name>Ford</name>
        </value>
      </values>
    </attribute>
  </attributes>
</service_definition>"""
SPEC_REQUESTS = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>638344</service_request_id>
    <status>closed</status>
    <status_notes>Duplicate request.</status_notes>
    <service_name>Sidewalk and Curb Issues</service_name>
    <service_code>006</service_code>
    <description></description>
    <agency_responsible></agency_responsible>
    <service_notice></service_notice>
    <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
    <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
    <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
    <address>8TH AVE and JUDAH ST</address>
    <address_id>545483</address_id>
    <zipcode>94122</zipcode>
    <lat>37.762221815</lat>
    <long>-122.4651145</long>
    <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
  </request>
</service_requests>"""
SPEC_CREATED = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>293944</service_request_id>
    <service_notice>The City will inspect and require the responsible party to correct
    within 24 hours and/or issue a Correction Notice or Notice of Violation.</service_notice>
    <account_id/>
  </request>
</service_requests>"""
SPEC_ERRORS = """<?xml version="1.0" encoding="utf-8"?>
<errors>
  <error>
    <code>403</code>
    <description>Invalid api_key received -- can't proceed with create_request.</description>
  </error>
</errors>"""
SPEC_DISCOVERY = """<?xml version="1.0" encoding="utf-8"?>
<discovery>
  <changeset>2011-04-05T17:48:34Z</changeset>
  <contact>You can email or call for assistance api@example.org</contact>
  <key_service>You can request a key here: http://api.example.org/api_key/request</key_service>
  <endpoints>
    <endpoint>
      <specification>http://wiki.open311.org/GeoReport_v2</specification>
      <url>http://open311.example.org/dev/v2</url>
      <changeset>2011-04-20T17:48:34Z</changeset>
      <type>production</type>
      <formats>
        <format>text/xml</format>
        <format>application/json</format>
      </formats>
    </endpoint>
  </endpoints>
</discovery>"""


def shape(element: ET.Element, path: str = "") -> list[str]:
    """The element paths of a document in order, one entry per repeated child kind."""
    here = f"{path}/{element.tag}"
    paths = [here]
    seen: set[str] = set()
    for child in element:
        if child.tag in seen:
            continue
        seen.add(child.tag)
        paths.extend(shape(child, here))
    return paths


def parsed(response) -> ET.Element:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def w3c(text: str | None) -> dt.datetime:
    value = parse_datetime(text or "")
    assert value is not None and value.tzinfo is not None, text
    return value


@pytest.fixture
def public(settings):
    settings.OPEN311_PUBLIC = True
    return settings


@pytest.fixture
def parking(db):
    return TicketCategoryFactory(
        code="parking",
        name="违法停车",
        extra_fields=[
            {
                "code": "lane",
                "description": "车道",
                "datatype": "singlevaluelist",
                "values": [{"key": "L", "name": "左转车道"}],
            }
        ],
    )


def test_services_as_the_spec_writes_them(public, parking):
    root = parsed(APIClient().get("/open311/v2/services.xml"))
    assert shape(root) == shape(ET.fromstring(SPEC_SERVICES))
    [service] = root.findall("service")
    assert service.findtext("service_code") == "parking"
    assert service.findtext("service_name") == "违法停车"
    assert service.findtext("metadata") == "true"
    assert service.findtext("type") in ("realtime", "batch", "blackbox")


def test_a_service_definition_as_the_spec_writes_it(public, parking):
    root = parsed(APIClient().get("/open311/v2/services/parking.xml"))
    assert shape(root) == shape(ET.fromstring(SPEC_DEFINITION))
    [attribute] = root.findall("attributes/attribute")
    assert attribute.findtext("code") == "lane"
    assert attribute.findtext("required") == "true"
    assert attribute.findtext("order") == "1"
    values = attribute.iterfind("values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [("L", "左转车道")]


def test_requests_as_the_spec_writes_them(public, unit, parking):
    closed = TicketFactory(
        unit=unit,
        category=parking,
        status=TicketStatus.CLOSED,
        next_due=None,
        reply="已处罚",
        latitude="36.456000",
        longitude="115.985000",
    )
    TicketFactory(unit=unit, category=parking)
    client = APIClient()
    root = parsed(client.get("/open311/v2/requests.xml"))
    assert shape(root) == shape(ET.fromstring(SPEC_REQUESTS))
    assert len(root.findall("request")) == 2
    [one] = parsed(client.get(f"/open311/v2/requests/{closed.pk}.xml")).findall("request")
    assert one.findtext("service_request_id") == str(closed.pk)
    assert one.findtext("status") == "closed"
    assert "已处罚" in (one.findtext("status_notes") or "")
    assert (float(one.findtext("lat") or 0), float(one.findtext("long") or 0)) == (36.456, 115.985)
    assert w3c(one.findtext("requested_datetime")) == closed.received_at.replace(microsecond=0)
    w3c(one.findtext("updated_datetime"))
    # absent values are empty elements, as in the spec
    assert one.find("media_url") is not None and not one.findtext("media_url")


def test_the_xml_and_the_json_say_the_same(public, unit, parking):
    ticket = TicketFactory(unit=unit, category=parking)
    client = APIClient()
    [as_json] = client.get(f"/open311/v2/requests/{ticket.pk}.json").json()
    [as_xml] = parsed(client.get(f"/open311/v2/requests/{ticket.pk}.xml")).findall("request")
    for name, value in as_json.items():
        assert (as_xml.findtext(name) or "") == ("" if value is None else str(value)), name


def test_filing_answers_as_the_spec_writes_it(clerk, parking):
    body = {
        "api_key": issue_token(clerk),
        "service_code": "parking",
        "address_string": "花园路",
        "description": "占道停车",
        "attribute[lane]": "L",
    }
    root = parsed(APIClient().post("/open311/v2/requests.xml", body))
    assert shape(root) == shape(ET.fromstring(SPEC_CREATED))
    assert root.findtext("request/service_request_id", "").isdigit()


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/open311/v2/requests.xml", 401),  # not public: credentials needed
        ("/open311/v2/requests/999999.xml", 401),
        ("/open311/v2/services/parking.xml", 401),
    ],
)
def test_errors_as_the_spec_writes_them(parking, path, code):
    root = parsed(APIClient().get(path))
    assert shape(root) == shape(ET.fromstring(SPEC_ERRORS))
    assert root.findtext("error/code") == str(code)
    assert root.findtext("error/description")


def test_discovery_as_the_spec_writes_it(parking):
    root = parsed(APIClient().get("/open311/v2/discovery.xml"))
    assert shape(root) == shape(ET.fromstring(SPEC_DISCOVERY))
    w3c(root.findtext("changeset"))
    assert root.findtext("endpoints/endpoint/specification") == (
        "http://wiki.open311.org/GeoReport_v2"
    )


def test_text_that_xml_cannot_carry_is_dropped(public, unit, parking):
    ticket = TicketFactory(unit=unit, category=parking, content="路口\x07拥堵 <b>&amp;</b>")
    [one] = parsed(APIClient().get(f"/open311/v2/requests/{ticket.pk}.xml")).findall("request")
    assert one.findtext("description") == "路口拥堵 <b>&amp;</b>"
