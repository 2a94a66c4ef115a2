"""Open311 GeoReport v2 at /open311/v2/, called as a GeoReport client calls it: GET with
query strings, POST form-encoded, every answer checked against the spec's field list."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import current_week
from brigade.core.tokens import issue_token
from petitions.choices import TicketChannel, TicketStatus
from petitions.models import Ticket
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# a weekday mid-morning, in a week that ends in its own year: the tests pinned to it
# check change tracking, not the calendar (a week ending in the next year, as on 31
# December 2026, counts next year's year to date)
WEDNESDAY = dt.datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI)

SERVICES = reverse("open311:services")
REQUESTS = reverse("open311:requests")

# GeoReport v2: the fields of a service and of a service request, and their types
SERVICE_FIELDS = {
    "service_code": str,
    "service_name": str,
    "description": str,
    "metadata": bool,
    "type": str,
    "keywords": str,
    "group": str,
}
REQUEST_FIELDS = {
    "service_request_id": str,
    "status": str,
    "status_notes": str,
    "service_name": str,
    "service_code": str,
    "description": str,
    "agency_responsible": str,
    "service_notice": str,
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": (str, type(None)),
    "address": str,
    "address_id": (str, type(None)),
    "zipcode": (str, type(None)),
    "lat": (float, type(None)),
    "long": (float, type(None)),
    "media_url": (str, type(None)),
}


def w3c(text: str) -> dt.datetime:
    value = parse_datetime(text)
    assert value is not None and value.tzinfo is not None, f"not a W3C datetime: {text}"
    return value


def check_service(row: dict) -> None:
    assert set(row) == set(SERVICE_FIELDS)
    for name, kind in SERVICE_FIELDS.items():
        assert isinstance(row[name], kind), name
    assert row["metadata"] is False
    assert row["type"] in ("realtime", "batch", "blackbox")


def check_request(row: dict) -> None:
    assert set(row) == set(REQUEST_FIELDS)
    for name, kind in REQUEST_FIELDS.items():
        assert isinstance(row[name], kind), name
    assert row["status"] in ("open", "closed")
    w3c(row["requested_datetime"])
    w3c(row["updated_datetime"])
    if row["expected_datetime"] is not None:
        w3c(row["expected_datetime"])


def check_error(response, code: int) -> str:
    assert response.status_code == code
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"code", "description"}
    assert body[0]["code"] == code
    assert body[0]["description"]
    return body[0]["description"]


def detail(ticket) -> str:
    return reverse("open311:request", kwargs={"pk": ticket.pk})


@pytest.fixture
def client_as():
    """An API client sending ``Authorization: Token`` as a GeoReport client program would."""

    def login(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
        return client

    return login


@pytest.fixture
def category():
    return TicketCategoryFactory(code="congestion", name="交通拥堵", close_days=10)


# --- services ------------------------------------------------------------------------------


def test_services_are_the_categories_in_use(client_as, clerk, category):
    TicketCategoryFactory(code="retired", name="旧类别", is_active=False)
    response = client_as(clerk).get(SERVICES)
    assert response.status_code == 200
    rows = response.json()
    assert [r["service_code"] for r in rows] == ["congestion"]
    check_service(rows[0])
    assert rows[0]["service_name"] == "交通拥堵"
    assert "10" in rows[0]["description"]  # the closing rule, in working days


def test_plain_paths_answer_like_the_suffixed_ones(client_as, clerk, category, unit):
    ticket = TicketFactory(unit=unit, category=category)
    client = client_as(clerk)
    assert client.get("/open311/v2/services").json() == client.get(SERVICES).json()
    assert client.get("/open311/v2/requests").json() == client.get(REQUESTS).json()
    plain = client.get(f"/open311/v2/requests/{ticket.pk}").json()
    assert plain == client.get(f"/open311/v2/requests/{ticket.pk}.json").json()


# --- one request -----------------------------------------------------------------------------


def test_a_request_maps_the_ticket_and_never_shows_the_citizen(client_as, clerk, category, unit):
    received = dt.datetime(2022, 6, 13, 9, 30, tzinfo=SHANGHAI)
    ticket = TicketFactory(
        unit=unit,
        category=category,
        received_at=received,
        citizen_name="张三丰",
        citizen_phone="13812345678",
        content="花园路路口早高峰拥堵",
        location="花园路与东昌东路交叉口",
        latitude=Decimal("36.456000"),
        longitude=Decimal("115.985000"),
    )
    response = client_as(clerk).get(detail(ticket))
    assert response.status_code == 200
    [row] = response.json()
    check_request(row)
    assert row["service_request_id"] == str(ticket.pk)
    assert row["status"] == "open"
    assert row["service_code"] == "congestion"
    assert row["service_name"] == "交通拥堵"
    assert row["description"] == "花园路路口早高峰拥堵"
    assert row["agency_responsible"] == "一中队"
    assert row["address"] == "花园路与东昌东路交叉口"
    assert (row["lat"], row["long"]) == (36.456, 115.985)
    assert w3c(row["requested_datetime"]) == received
    # the closing deadline, to the end of its day in local time
    expected = w3c(row["expected_datetime"])
    assert expected.astimezone(SHANGHAI).date() == ticket.close_due
    assert expected.astimezone(SHANGHAI).time() == dt.time(23, 59, 59)
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "张三丰" not in text and "13812345678" not in text and "5678" not in text


@pytest.mark.parametrize(
    ("state", "status", "notes"),
    [
        (TicketStatus.RECEIVED, "open", "Received"),
        (TicketStatus.HANDLING, "open", "Handling"),
        (TicketStatus.REPLIED, "open", "已安排警力疏导"),
        (TicketStatus.CLOSED, "closed", "已安排警力疏导"),
        (TicketStatus.RETURNED, "closed", "不属于交警职责"),
    ],
)
def test_status_and_notes_follow_the_ticket_state(
    client_as, clerk, category, unit, state, status, notes, settings
):
    settings.LANGUAGE_CODE = "en"
    ticket = TicketFactory(
        unit=unit,
        category=category,
        status=state,
        reply="已安排警力疏导",
        return_reason="不属于交警职责",
    )
    [row] = client_as(clerk).get(detail(ticket), HTTP_ACCEPT_LANGUAGE="en").json()
    assert row["status"] == status
    assert notes in row["status_notes"]
    if state == TicketStatus.RETURNED:
        assert row["expected_datetime"] is None


def test_unknown_and_out_of_scope_requests_are_404(client_as, clerk, other_unit, category):
    theirs = TicketFactory(unit=other_unit, category=category)
    client = client_as(clerk)
    check_error(client.get(detail(theirs)), 404)
    check_error(client.get("/open311/v2/requests/999999.json"), 404)
    # not a request id at all: a 400 naming it (brigade/core/params.py)
    assert check_error(client.get("/open311/v2/requests/abc.json"), 400).startswith(
        "service_request_id:"
    )


def test_the_brigade_commander_reads_every_unit(client_as, brigade_commander, other_unit, category):
    theirs = TicketFactory(unit=other_unit, category=category)
    [row] = client_as(brigade_commander).get(detail(theirs)).json()
    assert row["agency_responsible"] == "二中队"


def test_officers_read_their_units_requests(client_as, officer, unit, category):
    ticket = TicketFactory(unit=unit, category=category)
    response = client_as(officer).get(detail(ticket))
    assert response.status_code == 200


def test_anonymous_is_401_in_the_spec_shape(unit, category):
    ticket = TicketFactory(unit=unit, category=category)
    for url in (SERVICES, REQUESTS, detail(ticket)):
        check_error(APIClient().get(url), 401)
    check_error(APIClient().post(REQUESTS, {"service_code": "congestion"}), 401)


# --- the list ----------------------------------------------------------------------------------


def test_list_is_the_last_90_days_in_scope_newest_first(
    client_as, clerk, unit, other_unit, category
):
    now = timezone.now()
    new = TicketFactory(unit=unit, category=category, received_at=now - dt.timedelta(days=1))
    older = TicketFactory(unit=unit, category=category, received_at=now - dt.timedelta(days=80))
    TicketFactory(unit=unit, category=category, received_at=now - dt.timedelta(days=100))
    TicketFactory(unit=other_unit, category=category, received_at=now - dt.timedelta(days=1))
    rows = client_as(clerk).get(REQUESTS).json()
    for row in rows:
        check_request(row)
    assert [r["service_request_id"] for r in rows] == [str(new.pk), str(older.pk)]


def test_list_filters_by_dates_code_and_status(client_as, clerk, unit, category):
    other_category = TicketCategoryFactory(code="parking", name="违法停车")
    day = dt.datetime(2022, 3, 7, 9, tzinfo=SHANGHAI)
    a = TicketFactory(unit=unit, category=category, received_at=day)
    b = TicketFactory(
        unit=unit,
        category=category,
        received_at=day + dt.timedelta(days=2),
        status=TicketStatus.CLOSED,
        next_due=None,
    )
    c = TicketFactory(
        unit=unit,
        category=other_category,
        received_at=day + dt.timedelta(days=3),
        status=TicketStatus.RETURNED,
        next_due=None,
    )
    TicketFactory(unit=unit, category=category, received_at=day + dt.timedelta(days=40))
    client = client_as(clerk)

    def ids(**query):  # type: ignore[no-untyped-def]
        response = client.get(REQUESTS, query)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    window = {"start_date": "2022-03-01T00:00:00+08:00", "end_date": "2022-03-31T00:00:00+08:00"}
    assert ids(**window) == {str(a.pk), str(b.pk), str(c.pk)}
    assert ids(**window, status="open") == {str(a.pk)}
    assert ids(**window, status="closed") == {str(b.pk), str(c.pk)}
    assert ids(**window, status="open,closed") == {str(a.pk), str(b.pk), str(c.pk)}
    assert ids(**window, service_code="parking") == {str(c.pk)}
    assert ids(**window, service_code="parking,congestion") == {str(a.pk), str(b.pk), str(c.pk)}
    # a start date alone: the 90 days from it
    assert ids(start_date="2022-03-08T00:00:00Z") == {str(b.pk), str(c.pk)} | ids(
        start_date="2022-04-15T00:00:00+08:00", end_date="2022-04-17T00:00:00+08:00"
    )
    # ids override every other filter
    assert ids(service_request_id=f"{a.pk},{c.pk}", status="closed") == {str(a.pk), str(c.pk)}


def test_list_is_capped_at_its_maximum(client_as, clerk, unit, category, monkeypatch):
    from petitions.api import open311

    monkeypatch.setattr(open311, "MAX_REQUESTS", 3)
    TicketFactory.create_batch(5, unit=unit, category=category)
    assert len(client_as(clerk).get(REQUESTS).json()) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start_date": "13 June 2022"}, "start_date"),
        ({"end_date": "2022-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2022-01-01T00:00:00Z", "end_date": "2022-06-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2022-06-01T00:00:00Z", "end_date": "2022-05-01T00:00:00Z"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"service_request_id": "12,abc"}, "service_request_id"),
    ],
)
def test_bad_filters_are_400(client_as, clerk, query, field):
    description = check_error(client_as(clerk).get(REQUESTS, query), 400)
    assert description.startswith(f"{field}:")


@pytest.mark.parametrize("rows", [1, 15])
def test_queries_do_not_grow_with_rows(
    client_as, clerk, unit, category, rows, django_assert_num_queries
):
    TicketFactory.create_batch(rows, unit=unit, category=category)
    client = client_as(clerk)
    ticket = Ticket.objects.first()
    # token, groups, officer (the scope), then the rows with their category and unit
    with django_assert_num_queries(4):
        assert len(client.get(REQUESTS).json()) == rows
    with django_assert_num_queries(4):
        assert client.get(detail(ticket)).status_code == 200
    # token, groups, officer, categories
    with django_assert_num_queries(4):
        assert client.get(SERVICES).status_code == 200


# --- filing a request ----------------------------------------------------------------------------


@time_machine.travel(WEDNESDAY, tick=True)
def test_filing_makes_a_received_ticket_through_the_service(
    clerk, unit, category, django_capture_on_commit_callbacks
):
    # given the KPI figures as they are
    engine.recompute_all()
    token = issue_token(clerk)
    # when a client files a request form-encoded, its key in the spec's api_key field
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(
            REQUESTS,
            {
                "api_key": token,
                "service_code": "congestion",
                "lat": "36.4560",
                "long": "115.9850",
                "address_string": "花园路与东昌东路交叉口",
                "description": "早高峰信号灯故障，车辆排队过长",
                "first_name": "三丰",
                "last_name": "张",
                "phone": "13812345678",
                "email": "zhang@example.com",
            },
        )
    # then the answer is the spec's
    assert response.status_code == 201, response.content
    [body] = response.json()
    assert set(body) == {"service_request_id", "service_notice", "account_id"}
    assert body["account_id"] is None
    ticket = Ticket.objects.get(pk=int(body["service_request_id"]))
    assert ticket.close_due.isoformat() in body["service_notice"]
    # and the ticket is a received one of the clerk's unit, deadlines from its category
    assert ticket.status == TicketStatus.RECEIVED
    assert ticket.channel == TicketChannel.OPEN311
    assert ticket.unit == unit
    assert ticket.category == category
    assert ticket.created_by == clerk
    assert ticket.next_due == ticket.sign_due
    assert ticket.number.startswith("OPEN311-")
    assert (ticket.citizen_name, ticket.citizen_phone) == ("张三丰", "13812345678")
    assert (ticket.latitude, ticket.longitude) == (Decimal("36.456"), Decimal("115.985"))
    assert ticket.location == "花园路与东昌东路交叉口"
    assert ticket.history.count() == 1
    # and the week's KPI figure moved by one (change tracking)
    engine.recompute_dirty()
    received = KpiRollup.objects.get(
        metric="petitions.received", week=current_week(), scope="brigade"
    )
    assert received.numerator == 1
    # and the new request reads back
    [row] = APIClient().get(detail(ticket), HTTP_AUTHORIZATION=f"Token {token}").json()
    check_request(row)
    assert row["status"] == "open" and row["lat"] == 36.456


def test_filing_with_an_address_only_and_the_token_header(client_as, clerk, category):
    response = client_as(clerk).post(
        REQUESTS,
        {"service_code": "congestion", "address_string": "兴华路大桥", "description": "护栏损坏"},
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert (ticket.latitude, ticket.location) == (None, "兴华路大桥")


def test_brigade_wide_users_name_the_unit(client_as, admin_user, other_unit, category):
    base = {"service_code": "congestion", "address_string": "花园路", "description": "拥堵"}
    client = client_as(admin_user)
    assert check_error(client.post(REQUESTS, base), 400).startswith("unit:")
    response = client.post(REQUESTS, {**base, "unit": other_unit.code})
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert ticket.unit == other_unit


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_code": ""}, "service_code"),
        ({"service_code": "nonesuch"}, "service_code"),
        ({"service_code": "retired"}, "service_code"),
        ({"address_string": "", "lat": "", "long": ""}, "lat"),
        ({"lat": "north", "long": "115.9"}, "lat"),
        ({"lat": "36.4", "long": ""}, "long"),
        ({"lat": "95", "long": "115.9"}, "lat"),
        ({"lat": "36.4", "long": "-181"}, "long"),
        ({"lat": "1e400", "long": "115.9"}, "lat"),
        ({"description": "  "}, "description"),
        ({"unit": "sq2"}, "unit"),
    ],
)
def test_bad_requests_are_400_and_file_nothing(
    client_as, clerk, category, other_unit, change, field
):
    TicketCategoryFactory(code="retired", is_active=False)
    body = {
        "service_code": "congestion",
        "address_string": "花园路",
        "description": "拥堵",
        **change,
    }
    description = check_error(client_as(clerk).post(REQUESTS, body), 400)
    assert description.startswith(f"{field}:")
    assert not Ticket.objects.exists()


def test_officers_may_not_file(client_as, officer, category):
    body = {"service_code": "congestion", "address_string": "花园路", "description": "拥堵"}
    check_error(client_as(officer).post(REQUESTS, body), 403)
    assert not Ticket.objects.exists()


def test_a_wrong_api_key_is_401(category):
    body = {"api_key": "0" * 40, "service_code": "congestion", "address_string": "花园路"}
    check_error(APIClient().post(REQUESTS, body), 401)


def test_kept_out_of_the_openapi_schema(api_as, clerk):
    schema = api_as(clerk).get("/api/schema/", {"format": "json"}).json()
    assert not [path for path in schema["paths"] if "open311" in path]
