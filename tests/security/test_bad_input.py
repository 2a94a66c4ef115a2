"""Bad input answers 4xx with a clear message and changes nothing; it never makes a 500.

- Identifiers in a query string or a path: only ASCII digits are one (``²`` passes
  ``str.isdigit()`` but not ``int()``); anything else is a 400 naming the parameter
  (brigade/core/params.py).
- NUL characters in a query string, a form field or a JSON string: a 400 naming the field
  (brigade/core/guard.py); PostgreSQL cannot store them.
- Imports: a NUL anywhere in a CSV file, or a value longer than its column allows, is a
  row error of the all-or-nothing report (brigade/core/imports.py).
- JSON nested too deeply: 400 "JSON too deeply nested" (brigade/core/api/parsers.py).
- A decompression-bomb image: a field error (brigade/core/uploads.py).
- A date far in the future (9999-12-31) where a deadline is asked: the date window's 400.
- A body larger than the request may carry is refused from its Content-Length, before a
  byte of it is read: 413 (brigade/core/guard.py).
- A sweep: every page and API list read as an admin with each of its query parameters set
  to hostile values: no 500.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hazards.models import Hazard, HazardPhoto, KeyVehicle
from petitions.models import Ticket
from tests.hazards.factories import HazardFactory, photo
from tests.petitions.factories import TicketCategoryFactory

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "%C2%B2"  # "²": str.isdigit() says yes, int() says no


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def category(db):
    return TicketCategoryFactory(code="congestion", name="交通拥堵", close_days=10)


@pytest.fixture
def page_as(client):
    def login(user):
        client.force_login(user)
        return english(client)

    return login


def api_errors(response) -> str:
    """The text of an API answer's messages (DRF's shape or GeoReport's)."""
    return json.dumps(response.json(), ensure_ascii=False)


# --- 1. identifiers that pass isdigit() -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/open311/v2/requests/{SUPERSCRIPT_TWO}.json",
        f"/open311/v2/requests.json?service_request_id={SUPERSCRIPT_TWO}",
        f"/open311/v2/requests.json?service_request_id=1,{SUPERSCRIPT_TWO}",
    ],
)
def test_open311_ids_that_are_not_ascii_digits_are_400(api_as, clerk, path):
    response = api_as(clerk).get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "²" in api_errors(response)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"/petitions/weekly/?unit={SUPERSCRIPT_TWO}", "unit"),
        (f"/hazards/report/?patrol={SUPERSCRIPT_TWO}", "patrol"),
        (f"/hazards/report/?ticket={SUPERSCRIPT_TWO}", "ticket"),
        (f"/hazards/report/?accident={SUPERSCRIPT_TWO}", "accident"),
        (f"/hazards/facility-works/new/?hazard={SUPERSCRIPT_TWO}", "hazard"),
    ],
)
def test_page_ids_that_are_not_ascii_digits_are_400_naming_the_parameter(
    page_as, commander, path, name
):
    response = page_as(commander).get(path)
    assert response.status_code == 400
    text = response.content.decode()
    assert f"“{name}”" in text and "²" in text


def test_an_id_too_large_for_the_database_is_400(page_as, commander):
    response = page_as(commander).get("/hazards/report/?patrol=99999999999999999999")
    assert response.status_code == 400


# --- 1. NUL characters ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["description", "address_string", "service_code"])
def test_open311_post_with_a_nul_is_400_and_files_nothing(api_as, clerk, category, field):
    body = {"service_code": "congestion", "address_string": "花园路", "description": "拥堵"}
    body[field] = body[field] + "\x00x"
    response = api_as(clerk).post("/open311/v2/requests.json", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert field in api_errors(response)
    assert not Ticket.objects.exists()


def test_a_nul_in_a_json_string_is_400_naming_the_field(api_as, officer, unit):
    response = api_as(officer).post(
        "/api/v1/hazards/hazards/",
        {"element": "road", "road": "花园路", "description": "井盖\x00缺失", "severity": "high"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "description" in response.json()
    assert not Hazard.objects.exists()


def test_a_nul_in_a_query_string_is_400_naming_the_parameter(page_as, api_as, commander):
    response = page_as(commander).get("/hazards/?q=a%00b")
    assert response.status_code == 400
    assert "“q”" in response.content.decode()
    response = api_as(commander).get("/api/v1/hazards/hazards/?search=a%00b")
    assert response.status_code == 400
    assert "search" in response.json()


def test_a_nul_in_a_page_form_is_400_and_writes_nothing(page_as, officer):
    response = page_as(officer).post(
        "/hazards/report/",
        {"element": "road", "road": "花园路\x00", "description": "x", "severity": "high"},
    )
    assert response.status_code == 400
    assert not Hazard.objects.exists()


# --- 1. imports: NUL after byte 4096, over-long values ----------------------------------------

TICKETS_IMPORT = "/api/v1/petitions/tickets/import/"
TICKET_HEADER = "工单编号,受理时间,诉求分类,诉求内容,承办单位,来源渠道,诉求人,联系电话,事发地点"
VEHICLES_IMPORT = "/api/v1/hazards/key-vehicles/import/"
VEHICLE_HEADER = "号牌号码,车辆类型,所属企业,原因"


def csv_upload(lines: list[str]) -> SimpleUploadedFile:
    text = "\n".join(lines) + "\n"
    return SimpleUploadedFile("export.csv", text.encode("utf-8"), content_type="text/csv")


def ticket_row(n: int, content: str = "花园路拥堵", number: str | None = None) -> str:
    number = number or f"A{n:04d}"
    return f"{number},2022-01-28 09:00,congestion,{content},sq1,12345,张三,13812345678,花园路"


def test_a_ticket_number_over_40_characters_is_a_row_error(api_as, clerk, unit, category):
    upload = csv_upload([TICKET_HEADER, ticket_row(1), ticket_row(2, number="B" * 41)])
    response = api_as(clerk).post(
        TICKETS_IMPORT, {"file": upload}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "number")]
    assert "40" in errors[0]["message"]
    assert not Ticket.objects.exists()


def test_a_nul_after_the_first_4096_bytes_of_a_ticket_csv_is_a_row_error(
    api_as, clerk, unit, category
):
    rows = [ticket_row(n, content="花园路拥堵" * 10) for n in range(1, 40)]
    rows[30] = ticket_row(31, content="花园路\x00拥堵")
    text = "\n".join([TICKET_HEADER, *rows])
    assert text.encode().index(b"\x00") > 4096
    response = api_as(clerk).post(
        TICKETS_IMPORT,
        {"file": csv_upload([TICKET_HEADER, *rows])},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(32, "content")]
    assert "NUL" in errors[0]["message"]
    assert not Ticket.objects.exists()


def test_a_nul_after_the_first_4096_bytes_of_a_key_vehicle_csv_is_a_row_error(api_as, commander):
    rows = [f"鲁P{n:05d},货车,{'长江运输公司' * 5},逾期未检验" for n in range(1, 60)]
    rows[50] = "鲁P00051,货车,长江\x00运输公司,逾期未检验"
    assert "\n".join([VEHICLE_HEADER, *rows]).encode().index(b"\x00") > 4096
    response = api_as(commander).post(
        VEHICLES_IMPORT,
        {"file": csv_upload([VEHICLE_HEADER, *rows])},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["row"] for e in errors] == [52]
    assert not KeyVehicle.objects.exists()


def test_an_over_long_plate_is_a_row_error(api_as, commander):
    rows = [
        VEHICLE_HEADER,
        "鲁P00001,货车,长江运输公司,逾期未检验",
        f"鲁P{'1' * 60},货车,某公司,逾期未检验",
    ]
    response = api_as(commander).post(
        VEHICLES_IMPORT, {"file": csv_upload(rows)}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert [e["row"] for e in response.json()["errors"]] == [3]
    assert not KeyVehicle.objects.exists()


# --- 1. JSON nested too deeply ----------------------------------------------------------------


def test_json_nested_100k_levels_is_400(api_as, officer, unit):
    body = "[" * 100_000 + "]" * 100_000
    response = api_as(officer).post(
        "/api/v1/hazards/hazards/",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "JSON too deeply nested" in response.json()["detail"]
    assert not Hazard.objects.exists()


def test_json_nested_deeply_inside_an_object_is_400(api_as, officer, unit):
    body = '{"description": ' + "{" * 0 + "[" * 100_000 + "]" * 100_000 + "}"
    response = api_as(officer).post(
        "/api/v1/hazards/hazards/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Hazard.objects.exists()


# --- 1. decompression bomb --------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 15000, height: int = 15000) -> bytes:
    """A small PNG that says it is ``width``×``height`` (1 bit a pixel, all black)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return png_bomb()


def test_a_decompression_bomb_png_is_a_field_error(api_as, officer, unit, bomb):
    upload = SimpleUploadedFile("bomb.png", bomb, content_type="image/png")
    response = api_as(officer).post(
        "/api/v1/hazards/hazards/",
        {"element": "road", "road": "花园路", "description": "x", "photos": [upload]},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "pixels" in str(response.json()["photos"])
    assert not Hazard.objects.exists()
    assert not HazardPhoto.objects.exists()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_over_the_pixel_limit_but_under_pillows_error_is_refused(settings):
    """Between Pillow's warning and its error (one to two times its limit) an image
    still opens: the limit is checked, not left to a warning."""
    from django.core.exceptions import ValidationError

    from brigade.core.uploads import MAX_IMAGE_PIXELS, validate_image

    side = int((MAX_IMAGE_PIXELS * 1.5) ** 0.5)
    upload = SimpleUploadedFile("big.png", png_bomb(side, side), content_type="image/png")
    with pytest.raises(ValidationError, match="pixels"):
        validate_image(upload)


def test_a_normal_photo_still_passes():
    from brigade.core.uploads import validate_image

    validate_image(photo())


# --- 1. a deadline in year 9999 ---------------------------------------------------------------


def test_assigning_with_deadline_9999_12_31_is_400_over_the_api(api_as, commander, unit):
    hazard = HazardFactory(unit=unit)
    response = api_as(commander).post(
        f"/api/v1/hazards/hazards/{hazard.pk}/assign/",
        {"responsible_party": "市政养护所", "deadline": "9999-12-31"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "deadline" in response.json()
    hazard.refresh_from_db()
    assert (hazard.status, hazard.deadline) == ("reported", None)


def test_assigning_with_deadline_9999_12_31_on_the_page_changes_nothing(page_as, commander, unit):
    hazard = HazardFactory(unit=unit)
    response = page_as(commander).post(
        f"/hazards/{hazard.pk}/assign/",
        {"responsible_party": "市政养护所", "deadline": "9999-12-31"},
    )
    assert response.status_code in (200, 400)
    assert "at most a year ahead" in response.content.decode()
    hazard.refresh_from_db()
    assert (hazard.status, hazard.deadline) == ("reported", None)


# --- 2. the body's size, refused before it is read --------------------------------------------


class UnreadableInput(io.RawIOBase):
    """A request body that must not be read."""

    def __init__(self) -> None:
        self.touched = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.touched = True
        raise AssertionError("the body was read")

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        return self.read()

    def readinto(self, buffer: Any) -> int:
        self.read()
        return 0


def raw_wsgi(environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    """Call the project's WSGI application as a server would; (status, headers, body)."""
    from brigade.wsgi import application

    base = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/hazards/hazards/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"], started["headers"] = status, dict(headers)

    chunks: Iterator[bytes] = iter(application({**base, **environ}, start_response))
    body = b"".join(chunks)
    return started["status"], started["headers"], body


@pytest.mark.parametrize(
    ("content_type", "accept", "json_answer"),
    [
        ("multipart/form-data; boundary=xyz", "application/json", True),
        ("multipart/form-data; boundary=xyz", "text/html", False),
        ("application/json", "*/*", True),
    ],
)
def test_a_300_mb_body_is_refused_413_before_it_is_read(content_type, accept, json_answer):
    stream = UnreadableInput()
    status, headers, body = raw_wsgi(
        {
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(300 * 1024 * 1024),
            "HTTP_ACCEPT": accept,
            "HTTP_ACCEPT_LANGUAGE": "en",
            "PATH_INFO": "/api/v1/hazards/hazards/" if json_answer else "/hazards/report/",
            "wsgi.input": stream,
        }
    )
    assert status.startswith("413")
    assert not stream.touched
    if json_answer:
        assert headers["Content-Type"].startswith("application/json")
        assert "MB" in json.loads(body)["detail"]
    else:
        assert headers["Content-Type"].startswith("text/html")
        assert b"MB" in body


def test_a_non_file_body_over_the_form_limit_is_413(settings):
    stream = UnreadableInput()
    status, _headers, _body = raw_wsgi(
        {
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            "wsgi.input": stream,
        }
    )
    assert status.startswith("413")
    assert not stream.touched


def test_a_largest_legitimate_upload_is_within_the_limit(settings):
    """A hazard report's most photos of the largest size fit, as does the largest import;
    a body that is no upload is held to far less."""
    from hazards.services.hazards import MAX_PHOTOS

    assert settings.MAX_REQUEST_BODY > settings.IMPORT_MAX_BYTES
    assert settings.MAX_REQUEST_BODY > MAX_PHOTOS * settings.UPLOAD_MAX_BYTES
    assert settings.MAX_REQUEST_BODY < 300 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024


def test_a_chunked_body_without_content_length_is_refused_not_lost(settings):
    stream = UnreadableInput()
    status, _headers, body = raw_wsgi(
        {
            "CONTENT_TYPE": "application/json",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "HTTP_ACCEPT_LANGUAGE": "en",
            "wsgi.input": stream,
        }
    )
    assert status.startswith("411")
    assert "Content-Length" in json.loads(body)["detail"]
    assert not stream.touched


def test_a_body_within_the_limits_still_arrives(api_as, officer, unit):
    response = api_as(officer).post(
        "/api/v1/hazards/hazards/",
        {"element": "road", "road": "花园路", "description": "井盖缺失", "photos": [photo()]},
        format="multipart",
    )
    assert response.status_code == 201, response.content


def test_parsers_come_from_the_core():
    """Every view that names its parsers takes the core's JSON parser (deep nesting)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("brigade", "hazards", "incidents", "petitions", "outreach")
        for path in (root / app).rglob("*.py")
        if "rest_framework.parsers import" in path.read_text()
        and "JSONParser" in path.read_text().split("rest_framework.parsers import", 1)[1][:200]
        and "core/api/parsers.py" not in str(path)
    ]
    assert offenders == []


# --- the sweep: every page and API list, every query parameter, hostile values ----------------

HOSTILE_VALUES = ["²", "\x00", "9999-12-31", "0001-01-01", "-1", "1e999", "x" * 10240]
# parameters read across the project that no form of a page names
COMMON_PARAMETERS = ["page", "page_size", "unit", "week", "from", "to", "ordering", "export"]


class _Inputs:
    """The names of every field of a page's GET forms."""

    def __init__(self, body: str) -> None:
        from html.parser import HTMLParser

        names: set[str] = set()
        in_get_form = [False]

        class Parser(HTMLParser):
            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                a = {k: v or "" for k, v in attrs}
                if tag == "form":
                    in_get_form[0] = a.get("method", "get").lower() == "get"
                elif tag in ("input", "select", "textarea") and in_get_form[0] and a.get("name"):
                    names.add(a["name"])

            def handle_endtag(self, tag: str) -> None:
                if tag == "form":
                    in_get_form[0] = False

        Parser().feed(body)
        self.names = names


def _schema_parameters(client: Client) -> dict[str, set[str]]:
    """Query parameters of each API path template, from the OpenAPI schema."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    found: dict[str, set[str]] = {}
    for path, item in schema["paths"].items():
        get = item.get("get") if isinstance(item, dict) else None
        if get:
            found[path] = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
    return found


def _template_of(url: str, templates: dict[str, set[str]]) -> set[str]:
    import re

    for template, names in templates.items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, url):
            return names
    return set()


def test_every_page_and_list_with_hostile_query_values_never_500s(db):
    import urllib.parse

    from tests.matrix import ADMIN
    from tests.security.test_xss import readable_pages
    from tests.test_permission_matrix import build_world

    world = build_world()
    clients: dict[str, Client] = {}

    def client_for(role: str) -> Client:
        if role not in clients:
            # a view's exception is a 500 to collect, not an error of the test
            clients[role] = english(Client(raise_request_exception=False))
            clients[role].force_login(world.users[role])
        return clients[role]

    templates = _schema_parameters(client_for(ADMIN))
    failures = []
    requests = 0
    for page in readable_pages(world):
        role = ADMIN if ADMIN in page.roles else page.roles[0]
        client = client_for(role)
        names = set(COMMON_PARAMETERS)
        if page.api:
            names |= _template_of(page.url, templates)
        else:
            first = client.get(page.url)
            if first.status_code == 200 and first.get("Content-Type", "").startswith("text/"):
                names |= _Inputs(first.content.decode()).names
        # each value in every parameter at once (forms and filtersets read them all), and
        # "²" in each parameter alone (a view reading one by one stops at the first)
        queries = [dict.fromkeys(names, value) for value in HOSTILE_VALUES]
        queries += [{name: "²"} for name in sorted(names)]
        for query in queries:
            url = f"{page.url}?{urllib.parse.urlencode(query)}"
            response = client.get(url)
            requests += 1
            if response.status_code >= 500:
                failures.append(f"{response.status_code} GET {url[:160]} as {role}")
    assert not failures, "\n".join(failures)
    assert requests > 500
