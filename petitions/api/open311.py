"""Open311 GeoReport v2 over the 12345 tickets, at /open311/v2/, in JSON and in XML (each
route with the spec's ``.json`` or ``.xml`` suffix; without one, JSON unless the client
asks for XML).

- ``discovery``: the endpoint, its formats, and when the services last changed.
- ``services``: the active ticket categories as services (``service_code`` is the
  category's code; ``metadata`` true when the category declares extra fields).
- ``services/{code}``: a service's definition, its extra fields as ``attributes``
  (petitions/extra_fields.py).
- ``requests``: GET lists tickets as service requests (filters ``service_request_id``,
  ``service_code``, ``start_date``, ``end_date``, ``status``; the last 90 days and at most
  1,000 requests unless asked otherwise); POST files a new one.
- ``requests/{id}``: one request.

Who may call it, how often, and ``jurisdiction_id``: petitions/api/open311_access.py. Signed
in, every role reads its own unit's tickets unless brigade-wide (another unit's request
answers 404); with ``OPEN311_PUBLIC`` on, a reader without credentials reads the whole
brigade. Only the desk (clerks, commanders, administrators) files requests. A filed
request is a received ticket made by ``services.ticket_from_client`` (deadlines from its
category, history, KPI change tracking), channel "Open311 API", in the caller's unit or
the unit named by the optional ``unit`` field (its code); the answers to the category's
extra fields (``attribute[code]``) are checked and kept in its content. A value longer
than the ticket keeps is a 400 naming the field, never cut.

No answer carries personal data: never the citizen's name or phone, and the free texts
(the matter, the reply, the place) without the numbers that identify a person
(petitions/api/open311_redact.py). Names follow the request's language where the record
has an English one. Errors have the spec's shape, ``[{"code": 400, "description": "..."}]``
or ``<errors><error><code/><description/></error></errors>``, with the same HTTP status
(400 bad or missing field, 401 no credentials, 403 role, 404 unknown request, service or
jurisdiction, 429 too many calls). Kept out of the OpenAPI schema: its list-shaped bodies,
format suffixes and error shape are the GeoReport spec's, not this API's conventions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brigade.core.api.exceptions import exception_handler, validation_messages
from brigade.core.api.parsers import JSONParser
from brigade.core.params import parse_id
from brigade.core.roles import DESK, EVERYONE
from brigade.core.tokens import TokenAuthentication
from brigade.core.units import unit_of_new_record
from brigade.duty.models import Unit
from petitions import extra_fields, services
from petitions.api.open311_access import (
    ApiKeyAuthentication,
    Open311Permission,
    PublicReadThrottle,
    anonymous,
    check_jurisdiction,
)
from petitions.api.open311_redact import redact
from petitions.api.open311_xml import GeoReportXMLRenderer
from petitions.choices import OPEN_STATUSES, TicketStatus
from petitions.models import Ticket, TicketCategory
from petitions.querysets import TicketQuerySet

DEFAULT_DAYS = 90  # the spec's default window, and the longest range one call may ask for
MAX_REQUESTS = 1000
OPEN, CLOSED = "open", "closed"
# the ticket service's field names as the spec names them, for its error messages
SPEC_NAMES = {
    "latitude": "lat",
    "longitude": "long",
    "content": "description",
    "location": "address_string",
    "category": "service_code",
    "citizen_name": "first_name",
    "citizen_phone": "phone",
}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]
ATTRIBUTE = re.compile(r"attribute\[([^\[\]]*)\](?:\[\])?")


# --- errors in the spec's shape -----------------------------------------------------------


ExceptionHandler = Callable[[Exception, dict[str, Any]], Response | None]


def _describe(data: object, field: str = "") -> list[str]:
    """Flat "field: message" lines from DRF's nested error data."""
    if isinstance(data, dict):
        lines = []
        for key, value in data.items():
            name = "" if key in ("detail", "non_field_errors") else str(key)
            lines.extend(_describe(value, name or field))
        return lines
    if isinstance(data, list):
        return [line for item in data for line in _describe(item, field)]
    return [f"{field}: {data}" if field else str(data)]


def open311_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The API's mapping of errors to statuses, with the body as GeoReport's error list."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    response.data = [
        {"code": response.status_code, "description": " ".join(_describe(response.data))}
    ]
    return response


def _bad(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


# --- the representation ---------------------------------------------------------------------


def w3c(value: dt.datetime | None) -> str | None:
    """A W3C datetime in local time with its offset, to the second."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _end_of(day: dt.date | None) -> str | None:
    if day is None:
        return None
    tz = timezone.get_current_timezone()
    return w3c(dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz))


def request_status(ticket: Ticket) -> str:
    """open while on the brigade's desk; closed once closed (办结) or returned (退单)."""
    return OPEN if ticket.status in OPEN_STATUSES else CLOSED


def status_notes(ticket: Ticket) -> str:
    if ticket.status == TicketStatus.RETURNED:
        return _("Returned to the 12345 platform: %(reason)s") % {
            "reason": redact(ticket.return_reason, ticket.citizen_name)
        }
    if ticket.status in (TicketStatus.REPLIED, TicketStatus.CLOSED) and ticket.reply:
        return _("%(state)s. Reply to the citizen: %(reply)s") % {
            "state": ticket.get_status_display(),
            "reply": redact(ticket.reply, ticket.citizen_name),
        }
    return str(ticket.get_status_display())


def service_notice(ticket: Ticket) -> str:
    if ticket.status in OPEN_STATUSES:
        return _("Handled by %(unit)s; to be closed by %(date)s.") % {
            "unit": ticket.unit.shown_name,
            "date": ticket.close_due.isoformat(),
        }
    return ""


def _coordinate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def service_request(ticket: Ticket) -> dict[str, object]:
    """One ticket as a GeoReport service request: never the citizen's name or phone, the
    free texts without the numbers that identify a person, the names in the request's
    language."""
    return {
        "service_request_id": str(ticket.pk),
        "status": request_status(ticket),
        "status_notes": status_notes(ticket),
        "service_name": ticket.category.shown_name,
        "service_code": ticket.category.code,
        "description": redact(ticket.content, ticket.citizen_name),
        "agency_responsible": ticket.unit.shown_name,
        "service_notice": service_notice(ticket),
        "requested_datetime": w3c(ticket.received_at),
        "updated_datetime": w3c(ticket.updated_at),
        "expected_datetime": None
        if ticket.status == TicketStatus.RETURNED
        else _end_of(ticket.close_due),
        "address": redact(ticket.location, ticket.citizen_name),
        "address_id": None,
        "zipcode": None,
        "lat": _coordinate(ticket.latitude),
        "long": _coordinate(ticket.longitude),
        "media_url": None,
    }


def service(category: TicketCategory) -> dict[str, object]:
    return {
        "service_code": category.code,
        "service_name": category.shown_name,
        "description": _(
            "Signed within %(sign)s, replied to within %(reply)s and closed within "
            "%(close)s working days."
        )
        % {"sign": category.sign_days, "reply": category.reply_days, "close": category.close_days},
        "metadata": bool(extra_fields.fields_of(category.extra_fields)),
        "type": "realtime",
        "keywords": "",
        "group": _("12345 tickets"),
    }


# --- views ------------------------------------------------------------------------------------


@extend_schema(exclude=True)
class Open311View(APIView):
    """What every GeoReport endpoint shares: authentication, roles, the public reads and
    their rate, ``jurisdiction_id``, JSON and XML, the error shape."""

    authentication_classes = [TokenAuthentication, ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [Open311Permission]
    throttle_classes = [PublicReadThrottle]
    renderer_classes = [JSONRenderer, GeoReportXMLRenderer]
    parser_classes = [FormParser, MultiPartParser, JSONParser]
    read_roles = EVERYONE
    write_roles = DESK
    public_read = True  # read without credentials while OPEN311_PUBLIC is on
    always_public = False
    xml_root = "service_requests"

    def get_exception_handler(self) -> ExceptionHandler:
        return open311_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_jurisdiction(request)

    def tickets(self) -> TicketQuerySet:
        """The caller's tickets; a public reader's: the whole brigade's."""
        if anonymous(self.request):
            tickets = Ticket.objects.all()
        else:
            tickets = Ticket.objects.visible_to(self.request.user)
        return tickets.select_related("category", "unit")


def active_categories() -> Any:
    return TicketCategory.objects.filter(is_active=True).order_by("code")


class DiscoveryView(Open311View):
    """GET discovery.json: this endpoint, its formats, and when its services changed."""

    always_public = True
    xml_root = "discovery"

    def get(self, request: Request, format: str | None = None) -> Response:
        changed = TicketCategory.objects.aggregate(at=Max("updated_at"))["at"]
        changeset = w3c(changed) or w3c(timezone.now())
        url = request.build_absolute_uri(reverse("open311:discovery")).rsplit("/", 1)[0]
        return Response(
            {
                "changeset": changeset,
                "contact": settings.OPEN311_CONTACT,
                "key_service": _(
                    "The api_key is an API token: sign in at %(url)s (POST username and "
                    "password) to get one."
                )
                % {"url": request.build_absolute_uri(reverse("api-token"))},
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": url,
                        "changeset": changeset,
                        "type": "production",
                        "formats": FORMATS,
                    }
                ],
            }
        )


class ServiceListView(Open311View):
    """GET services.json: the ticket categories in use."""

    xml_root = "services"

    def get(self, request: Request, format: str | None = None) -> Response:
        return Response([service(category) for category in active_categories()])


class ServiceDefinitionView(Open311View):
    """GET services/{code}.json: a service's extra fields as the spec's attributes."""

    xml_root = "service_definition"

    def get(self, request: Request, code: str, format: str | None = None) -> Response:
        category = active_categories().filter(code=code).first()
        if category is None:
            raise exceptions.NotFound(_("Unknown service code “%(code)s”.") % {"code": code[:50]})
        fields = extra_fields.fields_of(category.extra_fields)
        return Response(
            {"service_code": category.code, "attributes": extra_fields.definition(fields)}
        )


def _ids(raw: str) -> list[int]:
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        ids.append(parse_id(part, "service_request_id"))
    return ids


def _when(params: Mapping[str, str], name: str) -> dt.datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a "+" sent unescaped arrives as " "
    except ValueError:
        value = None
    if value is None:
        raise _bad(name, _("Not a W3C date and time (e.g. 2022-06-13T09:30:00+08:00)."))
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _window(params: Mapping[str, str]) -> tuple[dt.datetime, dt.datetime]:
    """[start, end] of ``requested_datetime``: the last 90 days by default; a range given
    by one end runs 90 days from it; no range may span more than 90 days."""
    start, end = _when(params, "start_date"), _when(params, "end_date")
    span = dt.timedelta(days=DEFAULT_DAYS)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - span
    if end is None:
        end = start + span
    if end < start:
        raise _bad("end_date", _("The end date is before the start date."))
    if end - start > span:
        raise _bad("end_date", _("A search may not span more than 90 days."))
    return start, end


class RequestListView(Open311View):
    """GET requests.json: service requests in scope; POST requests.json: file one."""

    def get(self, request: Request, format: str | None = None) -> Response:
        params = request.query_params
        tickets = self.tickets().order_by("-received_at", "-pk")
        raw_ids = params.get("service_request_id", "")
        if raw_ids.strip():
            # the spec: a list of ids overrides every other filter
            tickets = tickets.filter(pk__in=_ids(raw_ids))
        else:
            start, end = _window(params)
            tickets = tickets.filter(received_at__gte=start, received_at__lte=end)
            codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
            if codes:
                tickets = tickets.filter(category__code__in=codes)
            wanted = {s.strip().lower() for s in params.get("status", "").split(",") if s.strip()}
            if wanted - {OPEN, CLOSED}:
                raise _bad("status", _("The status is open or closed (or both, comma-separated)."))
            if wanted == {OPEN}:
                tickets = tickets.open()
            elif wanted == {CLOSED}:
                tickets = tickets.closed()
        return Response([service_request(t) for t in tickets[:MAX_REQUESTS]])

    def post(self, request: Request, format: str | None = None) -> Response:
        data = request.data
        code = str(data.get("service_code") or "").strip()
        if not code:
            raise _bad("service_code", _("The service code is required."))
        category = TicketCategory.objects.filter(code=code, is_active=True).first()
        if category is None:
            raise _bad("service_code", _("Unknown service code “%(code)s”.") % {"code": code})
        latitude, longitude = _decimal(data, "lat"), _decimal(data, "long")
        address = str(data.get("address_string") or "").strip()
        if latitude is None and longitude is None and not address:
            raise _bad(
                "lat",
                _("A location is required: lat and long, or address_string."),
            )
        description = str(data.get("description") or "").strip()
        if not description:
            raise _bad("description", _("Describe the matter."))
        lines, errors = extra_fields.answers(
            extra_fields.fields_of(category.extra_fields), _attributes(data)
        )
        if errors:
            raise exceptions.ValidationError(
                {f"attribute[{code}]": [message] for code, message in errors.items()}
            )
        name = "".join(str(data.get(part) or "").strip() for part in ("last_name", "first_name"))
        try:
            ticket = services.ticket_from_client(
                category=category,
                unit=self.unit_for(request, data),
                content="\n".join([description, *lines]),
                location=address,
                latitude=latitude,
                longitude=longitude,
                citizen_name=name,
                citizen_phone=str(data.get("phone") or "").strip(),
                by=request.user,
            )
        except DjangoValidationError as exc:
            messages = validation_messages(exc)
            raise exceptions.ValidationError(
                {SPEC_NAMES.get(name, name): text for name, text in messages.items()}
            ) from exc
        ticket = self.tickets().get(pk=ticket.pk)
        body = [
            {
                "service_request_id": str(ticket.pk),
                "service_notice": service_notice(ticket),
                "account_id": None,
            }
        ]
        return Response(body, status=status.HTTP_201_CREATED)

    def unit_for(self, request: Request, data: Mapping[str, object]) -> Unit:
        """The unit named by ``unit`` (a code, among the caller's units), else the
        caller's own."""
        code = str(data.get("unit") or "").strip()
        chosen: Unit | None = None
        if code:
            chosen = Unit.objects.visible_to(request.user).filter(code=code).first()
            if chosen is None:
                raise _bad(
                    "unit", _("Unknown unit, or not one of yours: “%(value)s”.") % {"value": code}
                )
        unit = unit_of_new_record(request.user, chosen)
        if unit is None:
            raise _bad("unit", _("You belong to no unit: name the unit (its code)."))
        return unit


def _attributes(data: Any) -> dict[str, list[str]]:
    """The answers to the extra fields, by code: the spec's ``attribute[code]`` fields
    (``attribute[code][]`` for a list), or a JSON body's ``attribute`` object."""
    given: dict[str, list[str]] = {}
    if not hasattr(data, "items"):
        return given
    keys = list(data.keys())
    for key in keys:
        match = ATTRIBUTE.fullmatch(str(key))
        if match is None:
            continue
        values = data.getlist(key) if hasattr(data, "getlist") else data[key]
        values = values if isinstance(values, list) else [values]
        given.setdefault(match[1], []).extend(str(value) for value in values)
    nested = data.get("attribute")
    if isinstance(nested, dict):
        for code, value in nested.items():
            values = value if isinstance(value, list) else [value]
            given.setdefault(str(code), []).extend(str(v) for v in values)
    return given


def _decimal(data: Mapping[str, object], name: str) -> Decimal | None:
    raw = str(data.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
        if not value.is_finite():
            raise InvalidOperation
        if abs(value) > 1000:  # out of range anyway: the service says so
            return value
        return value.quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise _bad(name, _("Not a number: “%(value)s”.") % {"value": raw}) from None


class RequestDetailView(Open311View):
    """GET requests/{id}.json: one service request, as a list of one (the spec's shape)."""

    def get(self, request: Request, pk: str, format: str | None = None) -> Response:
        ticket = self.tickets().filter(pk=parse_id(pk, "service_request_id")).first()
        if ticket is None:
            raise exceptions.NotFound(_("No such service request."))
        return Response([service_request(ticket)])
