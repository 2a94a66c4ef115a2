"""Open311 at /open311/v2/ as the spec means it: reads without credentials when
``OPEN311_PUBLIC`` is on (brigade-wide, no personal data, a rate per client address),
the token as ``api_key`` when it is off, ``jurisdiction_id``, discovery, the service
definitions of categories with extra fields, and errors in the spec's shape wherever
they are made."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from brigade.core.tokens import issue_token
from petitions.choices import TicketStatus
from petitions.models import Ticket, TicketCategory
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db

REQUESTS = "/open311/v2/requests"
SERVICES = "/open311/v2/services"
PROXY = "10.0.0.1"
NAME = "张三丰"
PHONE = "13812345678"
ID_CARD = "37150219900101123X"
# the number and the card as callers write them into the matter, the reply, the place
WRITTEN = {
    "content": f"{NAME}反映花园路拥堵，电话１３８　１２３４　５６７８，身份证{ID_CARD}",
    "reply": "已疏导。如有疑问请拨138-1234-5678或0635-8888888",
    "location": "花园路（联系人电话 +86 138 1234 5678）",
}


@pytest.fixture
def public(settings):
    settings.OPEN311_PUBLIC = True
    settings.OPEN311_PUBLIC_RATE = "1000/min"
    return settings


@pytest.fixture
def category(db):
    return TicketCategoryFactory(code="congestion", name="交通拥堵", name_en="Congestion")


@pytest.fixture
def citizens_ticket(unit, category):
    return TicketFactory(
        unit=unit,
        category=category,
        citizen_name=NAME,
        citizen_phone=PHONE,
        status=TicketStatus.REPLIED,
        **WRITTEN,
    )


def error_of(response, code: int) -> str:
    """The description of a GeoReport error answer, in JSON or XML."""
    assert response.status_code == code, response.content
    if response["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        [error] = list(root)
        assert error.tag == "error"
        assert [child.tag for child in error] == ["code", "description"]
        assert error.findtext("code") == str(code)
        return error.findtext("description") or ""
    [body] = response.json()
    assert body["code"] == code
    return body["description"]


def texts(response) -> list[str]:
    """Every text value of an answer, JSON or XML."""
    if response["Content-Type"].startswith("text/xml"):
        return [element.text or "" for element in ET.fromstring(response.content).iter()]
    found: list[str] = []

    def walk(value) -> None:  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)
        elif value is not None:
            found.append(str(value))

    walk(response.json())
    return found


def digits(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[^0-9X]", "", folded.upper())


def assert_no_personal_data(response) -> None:
    assert response.status_code == 200, response.content
    for text in texts(response):
        assert NAME not in text
        for number in (PHONE, "06358888888", ID_CARD, "5678", "8888888"):
            assert number not in digits(text), text


# --- public reads -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_public_reads_need_no_credentials_and_cover_the_brigade(
    public, unit, other_unit, category, fmt
):
    mine = TicketFactory(unit=unit, category=category)
    theirs = TicketFactory(unit=other_unit, category=category)
    client = APIClient()
    assert client.get(f"{SERVICES}.{fmt}").status_code == 200
    listed = client.get(f"{REQUESTS}.{fmt}")
    assert listed.status_code == 200
    for ticket in (mine, theirs):
        assert str(ticket.pk) in texts(listed)
        assert client.get(f"{REQUESTS}/{ticket.pk}.{fmt}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "requests.json",
        "requests.xml",
        "requests",
        "requests/{pk}.json",
        "requests/{pk}.xml",
        "requests/{pk}",
    ],
)
def test_no_personal_data_in_any_public_answer(public, citizens_ticket, path):
    url = "/open311/v2/" + path.format(pk=citizens_ticket.pk)
    response = APIClient().get(url)
    assert_no_personal_data(response)
    # the matter itself is there
    assert any("反映花园路拥堵" in text for text in texts(response))


@pytest.mark.parametrize("state", [TicketStatus.CLOSED, TicketStatus.RETURNED])
def test_no_personal_data_in_the_reply_or_the_reason_for_a_return(public, unit, category, state):
    ticket = TicketFactory(
        unit=unit,
        category=category,
        citizen_name=NAME,
        citizen_phone=PHONE,
        status=state,
        next_due=None,
        content="路口拥堵",
        reply=WRITTEN["reply"],
        return_reason=f"非交警职责，已告知{NAME}（{PHONE}）",
    )
    for fmt in ("json", "xml"):
        assert_no_personal_data(APIClient().get(f"{REQUESTS}/{ticket.pk}.{fmt}"))


def test_signed_in_readers_get_no_personal_data_either(clerk, citizens_ticket):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(clerk)}")
    assert_no_personal_data(client.get(f"{REQUESTS}/{citizens_ticket.pk}.json"))


@pytest.mark.parametrize("rows", [1, 12])
def test_public_list_queries_do_not_grow_with_rows(
    public, unit, category, rows, django_assert_num_queries
):
    TicketFactory.create_batch(rows, unit=unit, category=category)
    client = APIClient()
    with django_assert_num_queries(1):  # the rows with their category and unit
        assert len(client.get(f"{REQUESTS}.xml").content) > 0
    with django_assert_num_queries(1):
        assert len(client.get(f"{REQUESTS}.json").json()) == rows
    with django_assert_num_queries(1):
        assert client.get(f"{SERVICES}.json").status_code == 200


def test_anonymous_may_not_file_even_when_public(public, category):
    body = {"service_code": "congestion", "address_string": "花园路", "description": "拥堵"}
    for fmt in ("json", "xml"):
        error_of(APIClient().post(f"{REQUESTS}.{fmt}", body), 401)
    assert not Ticket.objects.exists()


def test_an_officer_may_not_file_even_when_public(public, officer, category):
    body = {
        "api_key": issue_token(officer),
        "service_code": "congestion",
        "address_string": "花园路",
        "description": "拥堵",
    }
    error_of(APIClient().post(f"{REQUESTS}.json", body), 403)
    assert not Ticket.objects.exists()


# --- public off: credentials, also as api_key ------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("path", ["services", "requests", "requests/{pk}", "services/congestion"])
def test_anonymous_reads_are_401_when_not_public(unit, category, fmt, path):
    ticket = TicketFactory(unit=unit, category=category)
    url = f"/open311/v2/{path.format(pk=ticket.pk)}.{fmt}"
    error_of(APIClient().get(url), 401)


def test_the_token_as_api_key_reads_when_not_public(clerk, unit, other_unit, category):
    mine = TicketFactory(unit=unit, category=category)
    TicketFactory(unit=other_unit, category=category)
    client = APIClient()
    listed = client.get(f"{REQUESTS}.json", {"api_key": issue_token(clerk)})
    assert [row["service_request_id"] for row in listed.json()] == [str(mine.pk)]
    error_of(client.get(f"{REQUESTS}.json", {"api_key": "0" * 64}), 401)
    error_of(client.get(f"{REQUESTS}.xml", {"api_key": "0" * 64}), 401)


def test_discovery_is_public_in_both_formats(unit):
    client = APIClient()
    body = client.get("/open311/v2/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
    assert {f.text for f in root.iterfind("endpoints/endpoint/formats/format")} == {
        "text/xml",
        "application/json",
    }


# --- the rate per client address -------------------------------------------------------------


def test_public_reads_are_limited_per_client_address_behind_the_proxy(public, unit):
    public.OPEN311_PUBLIC_RATE = "3/min"
    public.TRUSTED_PROXIES = [PROXY]
    client = APIClient()

    def read(address: str, fmt: str = "json"):  # type: ignore[no-untyped-def]
        return client.get(
            f"{SERVICES}.{fmt}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {address}"
        )

    for _ in range(3):
        assert read("203.0.113.5").status_code == 200
    # the fourth call from that address is refused, in the spec's shape
    error_of(read("203.0.113.5"), 429)
    refused = read("203.0.113.5", "xml")
    error_of(refused, 429)
    assert int(refused["Retry-After"]) > 0
    # another address behind the same proxy reads on
    assert read("203.0.113.6").status_code == 200
    # what the client wrote into the header itself does not make it another client
    spoofed = client.get(
        f"{SERVICES}.json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5"
    )
    error_of(spoofed, 429)


def test_the_header_is_not_believed_from_a_peer_that_is_no_proxy(public, unit):
    public.OPEN311_PUBLIC_RATE = "2/min"
    public.TRUSTED_PROXIES = [PROXY]
    client = APIClient()
    for address in ("203.0.113.7", "203.0.113.8"):
        ok = client.get(SERVICES, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=address)
        assert ok.status_code == 200
    error_of(
        client.get(SERVICES, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.9"), 429
    )


def test_signed_in_clients_are_not_counted(public, clerk, unit):
    public.OPEN311_PUBLIC_RATE = "1/min"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(clerk)}")
    for _ in range(3):
        assert client.get(f"{SERVICES}.json").status_code == 200


# --- jurisdiction_id -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction_id_right_and_wrong(public, clerk, citizens_ticket, fmt):
    public.OPEN311_JURISDICTION = "liaocheng.gov.cn"
    client = APIClient()
    right, wrong = {"jurisdiction_id": "liaocheng.gov.cn"}, {"jurisdiction_id": "sf.gov"}
    for path in ("services", "requests", f"requests/{citizens_ticket.pk}", "services/congestion"):
        url = f"/open311/v2/{path}.{fmt}"
        assert client.get(url, right).status_code == 200
        assert client.get(url).status_code == 200  # optional for a single jurisdiction
        assert "sf.gov" in error_of(client.get(url, wrong), 404)
    body = {
        "api_key": issue_token(clerk),
        "service_code": "congestion",
        "address_string": "花园路",
        "description": "拥堵",
    }
    error_of(client.post(f"{REQUESTS}.{fmt}", {**body, **wrong}), 404)
    assert Ticket.objects.count() == 1
    assert client.post(f"{REQUESTS}.{fmt}", {**body, **right}).status_code == 201


# --- names in the request's language -------------------------------------------------------------


def test_names_follow_the_requests_language(public, unit, category):
    unit.name_en = "1st Squadron"
    unit.save()
    ticket = TicketFactory(unit=unit, category=category)
    client = APIClient()
    [english] = client.get(f"{REQUESTS}/{ticket.pk}.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (english["service_name"], english["agency_responsible"]) == (
        "Congestion",
        "1st Squadron",
    )
    assert "1st Squadron" in english["service_notice"]
    [chinese] = client.get(f"{REQUESTS}/{ticket.pk}.json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert (chinese["service_name"], chinese["agency_responsible"]) == ("交通拥堵", "一中队")
    [service] = client.get(f"{SERVICES}.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert service["service_name"] == "Congestion"


# --- service definitions and extra fields ---------------------------------------------------------


@pytest.fixture
def with_fields(db):
    return TicketCategoryFactory(
        code="parking",
        name="违法停车",
        extra_fields=[
            {"code": "plate", "description": "车牌号", "datatype": "string"},
            {
                "code": "lane",
                "description": "车道",
                "datatype": "singlevaluelist",
                "required": False,
                "values": [{"key": "L", "name": "左转车道"}, {"key": "S", "name": "直行车道"}],
            },
        ],
    )


def test_a_category_with_extra_fields_has_metadata_and_a_definition(public, category, with_fields):
    client = APIClient()
    metadata = {s["service_code"]: s["metadata"] for s in client.get(f"{SERVICES}.json").json()}
    assert metadata == {"congestion": False, "parking": True}
    definition = client.get(f"{SERVICES}/parking.json").json()
    assert definition["service_code"] == "parking"
    plate, lane = definition["attributes"]
    assert (plate["code"], plate["datatype"], plate["required"], plate["order"]) == (
        "plate",
        "string",
        True,
        1,
    )
    assert (lane["code"], lane["required"], lane["values"]) == (
        "lane",
        False,
        [{"key": "L", "name": "左转车道"}, {"key": "S", "name": "直行车道"}],
    )
    # a service without extra fields has an empty definition; an unknown one is a 404
    assert client.get(f"{SERVICES}/congestion.json").json()["attributes"] == []
    error_of(client.get(f"{SERVICES}/nonesuch.json"), 404)
    error_of(client.get(f"{SERVICES}/nonesuch.xml"), 404)


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({}, "attribute[plate]"),
        ({"attribute[plate]": "  "}, "attribute[plate]"),
        ({"attribute[plate]": "鲁P12345", "attribute[lane]": "X"}, "attribute[lane]"),
        ({"attribute[plate]": "鲁P12345", "attribute[colour]": "红"}, "attribute[colour]"),
    ],
)
def test_extra_fields_are_checked_when_filing(clerk, with_fields, attributes, field):
    body = {
        "api_key": issue_token(clerk),
        "service_code": "parking",
        "address_string": "花园路",
        "description": "占道停车",
        **attributes,
    }
    assert error_of(APIClient().post(f"{REQUESTS}.json", body), 400).startswith(f"{field}:")
    assert not Ticket.objects.exists()


def test_extra_fields_answered_are_kept_in_the_ticket(clerk, with_fields):
    body = {
        "api_key": issue_token(clerk),
        "service_code": "parking",
        "address_string": "花园路",
        "description": "占道停车",
        "attribute[plate]": "鲁P12345",
        "attribute[lane]": "L",
    }
    response = APIClient().post(f"{REQUESTS}.xml", body)
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    assert [e.tag for e in root.iter()] == [
        "service_requests",
        "request",
        "service_request_id",
        "service_notice",
        "account_id",
    ]
    ticket = Ticket.objects.get(pk=int(root.findtext("request/service_request_id") or 0))
    assert ticket.content.splitlines() == ["占道停车", "车牌号：鲁P12345", "车道：左转车道"]


@pytest.mark.parametrize(
    "declaration",
    [
        "plate",
        [{"description": "车牌号"}],
        [{"code": "plate"}],
        [{"code": "plate", "description": "车牌号", "datatype": "colour"}],
        [{"code": "lane", "description": "车道", "datatype": "singlevaluelist"}],
        [{"code": "a", "description": "甲"}, {"code": "a", "description": "乙"}],
        [{"code": "a", "description": "甲", "required": "yes"}],
    ],
)
def test_a_wrong_declaration_is_refused_in_the_admin(declaration):
    category = TicketCategory(code="bad", name="坏的", extra_fields=declaration)
    with pytest.raises(ValidationError) as caught:
        category.full_clean()
    assert "extra_fields" in caught.value.message_dict


# --- nothing cut, errors in the spec's shape before the view --------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"address_string": "路" * 201}, "address_string"),
        ({"last_name": "张" * 30, "first_name": "三" * 21}, "first_name"),
        ({"phone": "1" * 31}, "phone"),
        ({"description": "堵" * (Ticket._meta.get_field("content").max_length + 1)}, "description"),
    ],
)
def test_too_long_is_400_naming_the_field_never_cut(clerk, category, change, field):
    body = {
        "api_key": issue_token(clerk),
        "service_code": "congestion",
        "address_string": "花园路",
        "description": "拥堵",
        **change,
    }
    assert error_of(APIClient().post(f"{REQUESTS}.json", body), 400).startswith(f"{field}:")
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_body_over_the_limit_is_413_in_the_spec_shape(settings, fmt):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = APIClient().generic(
        "POST",
        f"{REQUESTS}.{fmt}",
        "service_code=congestion",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="5000000",
    )
    assert "MB" in error_of(response, 413)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_route_and_a_nul_are_in_the_spec_shape(fmt):
    error_of(APIClient().get(f"/open311/v2/nonesuch.{fmt}"), 404)
    description = error_of(APIClient().get(f"{REQUESTS}.{fmt}", {"status": "open\x00"}), 400)
    assert description.startswith("status:")


def test_reverse_names_the_json_routes():
    assert reverse("open311:discovery") == "/open311/v2/discovery.json"
    assert reverse("open311:service", kwargs={"code": "parking"}) == (
        "/open311/v2/services/parking.json"
    )
