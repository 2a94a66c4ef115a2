"""Sizes and look-alikes: what a typed text may be, wherever it comes in.

- Every free-text column has a length limit: the model field declares it, the database
  refuses a longer value however it is written, and every API operation and page form that
  writes text answers a longer one with a 400 / a form error naming the field. The columns,
  operations and forms are found by introspection (the models, the OpenAPI schema, the
  permission matrix's pages), so a new one without a limit fails here.
- Identifiers (ticket numbers, plates) are compared as a person reads them: full-width
  letters and invisible characters do not make a new record; a text of zero-width spaces
  is blank.
- An import refused because another unit holds the record does not say which unit.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, models, transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from rest_framework.test import APIClient

from brigade.core.fields import TEXT_LENGTH, normalise_stored_identifiers
from brigade.core.text import normalise_identifier
from hazards import services as hazard_services
from hazards.models import KeyVehicle
from petitions import services as ticket_services
from petitions.models import Ticket, TicketReply
from tests.hazards.factories import KeyVehicleFactory
from tests.matrix import ADMIN, CLERK, COMMANDER, OFFICER
from tests.petitions.factories import TicketCategoryFactory, TicketFactory
from tests.security.schema import read_schema
from tests.test_permission_matrix import (
    MATRIX,
    World,
    _expected,
    project_routes,
)

DOMAIN_APPS = {"brigade", "hazards", "incidents", "petitions", "outreach"}
TOO_LONG = "Ensure this field has no more than"  # DRF's own message, in English


def says_too_long(message: object) -> bool:
    """DRF's refusal of a long text, or Django's ("Ensure this value has at most …")."""
    return TOO_LONG in str(message) or "Ensure this value has at most" in str(message)


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def _is_history(model: type[models.Model]) -> bool:
    """simple-history's copy of a model: written from the model's own (checked) values."""
    return hasattr(model, "instance_type")


def free_text_fields() -> list[models.TextField]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in DOMAIN_APPS or _is_history(model):
            continue
        found += [f for f in model._meta.concrete_fields if isinstance(f, models.TextField)]
    return found


TEXT_FIELDS = free_text_fields()


def _field_id(field: models.Field) -> str:
    return f"{field.model._meta.label}.{field.name}"


def _en() -> dict[str, str]:
    return {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- finding 1: every free-text column has a limit, in the model and the database ----------


def test_free_text_fields_are_found():
    names = {_field_id(f) for f in TEXT_FIELDS}
    assert {"petitions.Ticket.content", "hazards.Hazard.description"} <= names


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=_field_id)
def test_model_field_has_a_limit(field):
    assert field.max_length is not None, f"{_field_id(field)} has no max_length"
    assert field.max_length <= 20_000
    # the model's own validation checks it too (full_clean, the admin's forms)
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            field.clean("x" * (field.max_length + 1), None)
        message = " ".join(refused.value.messages)
    assert "at most" in message or "no more than" in message
    # the form field a ModelForm builds carries it
    assert field.formfield().max_length == field.max_length


def _row_of(model: type[models.Model], world: World) -> models.Model:
    """A stored record of ``model``: the permission matrix's, else one made for the test."""
    found = model._base_manager.first()
    if found is not None:
        return found
    ticket = world.own["ticket"]
    makers: dict[str, Any] = {
        "petitions.TicketReply": lambda: TicketReply.objects.create(
            ticket=ticket, round=9, text="已处理", replied_at=ticket.received_at
        ),
        "petitions.TicketCallback": lambda: model.objects.create(
            ticket=ticket, unit=ticket.unit, round=9, result="satisfied", at=ticket.received_at
        ),
        "petitions.TicketExtension": lambda: model.objects.create(
            ticket=ticket, new_due=ticket.close_due, old_due=ticket.close_due, reason="待查"
        ),
        "hazards.HazardCheck": lambda: model.objects.create(
            hazard=world.own["hazard"], result="passed"
        ),
        "brigade.Delivery": lambda: model.objects.create(
            channel="email", target="li@example.cn", key="notice:test"
        ),
        "brigade.Leave": lambda: model.objects.create(
            officer=world.users[CLERK].officer,
            starts_on=ticket.received_at.date(),
            ends_on=ticket.received_at.date(),
        ),
        "petitions.PlatformAction": lambda: model.objects.create(
            ticket=ticket, unit=ticket.unit, kind="sign", at=ticket.received_at
        ),
        "petitions.TicketSupervision": lambda: model.objects.create(
            ticket=ticket, unit=ticket.unit, kind="supervise", supervised_at=ticket.received_at
        ),
    }
    maker = makers.get(model._meta.label)
    assert maker is not None, f"no record of {model._meta.label} to test with"
    return maker()


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=_field_id)
def test_database_refuses_an_over_long_value(field, world):
    """A bulk or ORM write that skips every check still cannot store more."""
    row = _row_of(field.model, world)
    manager = field.model._base_manager
    with pytest.raises(IntegrityError), transaction.atomic():
        manager.filter(pk=row.pk).update(**{field.name: "x" * (field.max_length + 1)})
    with transaction.atomic():  # the limit itself is allowed
        assert manager.filter(pk=row.pk).update(**{field.name: "x" * field.max_length}) == 1
        transaction.set_rollback(True)


# --- the API: every operation's text fields, from the OpenAPI schema -----------------------


def _schema() -> dict[str, Any]:
    return read_schema()


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _text_properties(body: dict[str, Any], components: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, maxLength) of each writable free-text property ("name[]" for a list of texts)."""
    body = _resolve(body, components)
    found: list[tuple[str, Any]] = []
    for key in ("allOf", "oneOf", "anyOf"):
        for part in body.get(key, []):
            found += _text_properties(part, components)
    for name, prop in body.get("properties", {}).items():
        prop = _resolve(prop, components)
        if prop.get("readOnly"):
            continue
        if prop.get("type") == "array":
            name, prop = f"{name}[]", _resolve(prop.get("items", {}), components)
        if prop.get("type") == "string" and "enum" not in prop and "format" not in prop:
            found.append((name, prop.get("maxLength")))
    return found


def api_text_inputs() -> list[tuple[str, str, str, str, Any]]:
    """(method, path, content type, field, maxLength) of every text the API takes."""
    raw = _schema()
    components = raw["components"]["schemas"]
    found = []
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            if method not in ("post", "put", "patch"):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            kind = "application/json" if "application/json" in content else next(iter(content), "")
            if not kind:
                continue
            for name, limit in _text_properties(content[kind]["schema"], components):
                found.append((method.upper(), path, kind, name, limit))
    return found


API_TEXTS = api_text_inputs()


def test_every_text_the_api_takes_has_a_limit():
    assert len(API_TEXTS) > 50
    unbounded = [f"{m} {p} {n}" for m, p, _k, n, limit in API_TEXTS if limit is None]
    assert not unbounded, "\n".join(unbounded)


def route_name(path: str) -> str | None:
    """The URL name of a schema path (``{id}`` read as a number)."""
    try:
        return resolve(path.replace("{id}", "1")).view_name
    except Resolver404:
        return None


def _persona_for(world: World, name: str, method: str) -> Any:
    rule = MATRIX[name]
    for persona in (ADMIN, COMMANDER, CLERK, OFFICER):
        if _expected(rule, method, persona, "own") == "allowed":
            return world.users[persona]
    raise AssertionError(f"nobody may {method} {name}")


def _free_text_cases() -> list[Any]:
    """The API's free-text inputs (the long ones: contents, notes, reasons), one case each."""
    return [
        pytest.param(m, p, k, n, limit, id=f"{m} {p} {n}")
        for m, p, k, n, limit in API_TEXTS
        if limit is not None and limit >= 500
    ]


@pytest.mark.parametrize(("method", "path", "kind", "name", "limit"), _free_text_cases())
def test_api_refuses_an_over_long_text_naming_the_field(db, world, method, path, kind, name, limit):
    route = route_name(path)
    assert route in MATRIX, path
    rule = MATRIX[route]
    url = path.replace("{id}", str(world.own[rule.obj].pk)) if rule.obj else path
    field = name.removesuffix("[]")
    value: Any = "x" * (limit + 1)
    if name.endswith("[]"):
        value = [value]
    client = APIClient()
    client.force_authenticate(_persona_for(world, route, method))
    with transaction.atomic():
        if kind == "application/json":
            body = json.dumps({field: value})
            response = client.generic(method, url, body, content_type=kind, **_en())
        else:  # an upload's form
            response = client.generic(
                method,
                url,
                encode_multipart(BOUNDARY, {field: value}),
                content_type=MULTIPART_CONTENT,
                **_en(),
            )
        transaction.set_rollback(True)
    assert response.status_code == 400, (response.status_code, response.content[:300])
    errors = response.json()
    assert field in errors, errors
    assert says_too_long(errors[field]), errors[field]


# --- the pages: every form the permission matrix's pages show ------------------------------


def page_routes() -> list[str]:
    routes = project_routes()
    return sorted(
        name
        for name, rule in MATRIX.items()
        if not rule.api and not rule.public and "POST" in rule.allow and name in routes
    )


def _text_form_fields(form: Any) -> list[tuple[str, Any]]:
    from django import forms

    return [
        (name, field)
        for name, field in form.fields.items()
        if type(field).__name__ != "ModelChoiceField"
        and isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.PasswordInput | forms.HiddenInput)
    ]


@pytest.mark.parametrize("name", page_routes())
def test_page_forms_refuse_an_over_long_text_naming_the_field(db, world, name):
    rule = MATRIX[name]
    kwargs = dict(rule.extra_kwargs)
    if rule.obj:
        kwargs["pk"] = world.own[rule.obj].pk
    url = reverse(name, kwargs=kwargs)
    client = Client(**_en())
    client.force_login(_persona_for(world, name, "POST"))
    with transaction.atomic():
        shown = client.get(url)
        form = shown.context.get("form") if shown.status_code == 200 and shown.context else None
        transaction.set_rollback(True)
    if form is None:
        pytest.skip("the page shows no form of its own")
    texts = _text_form_fields(form)
    if not texts:
        pytest.skip("the form has no text field")
    unbounded = [field_name for field_name, f in texts if f.max_length is None]
    assert not unbounded, f"{name}: {unbounded} have no max_length"
    for field_name, field in texts:
        with transaction.atomic():
            response = client.post(url, {field_name: "x" * (field.max_length + 1)})
            transaction.set_rollback(True)
        refused = response.context["form"] if response.context else None
        assert refused is not None, f"{name}: {response.status_code}"
        assert says_too_long(refused.errors.get(field_name)), (name, field_name)


# --- the two reported cases ----------------------------------------------------------------
# (the personas and units are the permission matrix's, built once for the module)


@pytest.fixture
def unit(db, world):
    return world.own["unit"]


@pytest.fixture
def other_unit(db, world):
    return world.other["unit"]


@pytest.fixture
def clerk(db, world):
    return world.users[CLERK]


@pytest.fixture
def commander(db, world):
    return world.users[COMMANDER]


@pytest.fixture
def category(db, world):
    return TicketCategoryFactory(code="limits", name="限长测试")


def _ticket_body(category, unit, content: str) -> dict[str, Any]:
    return {
        "number": "2022061300001",
        "received_at": "2022-01-28T09:00:00+08:00",
        "category": category.pk,
        "unit": unit.pk,
        "content": content,
    }


def test_a_30_mb_ticket_content_is_refused_before_it_is_read(api_as, clerk, unit, category):
    tickets = Ticket.objects.count()
    response = api_as(clerk).post(
        reverse("petitions-api:ticket-list"),
        _ticket_body(category, unit, "堵" * (30 * 1024 * 1024 // 3)),  # 30 MB in UTF-8
        format="json",
        **_en(),
    )
    # over the request body limit (DATA_UPLOAD_MAX_MEMORY_SIZE): refused from its length
    assert response.status_code == 413
    assert len(response.content) < 2000  # the refusal does not echo the text
    assert Ticket.objects.count() == tickets


def test_a_ticket_content_over_its_limit_is_refused_naming_the_field(api_as, clerk, unit, category):
    tickets = Ticket.objects.count()
    response = api_as(clerk).post(
        reverse("petitions-api:ticket-list"),
        _ticket_body(category, unit, "堵" * (TEXT_LENGTH + 1)),
        format="json",
        **_en(),
    )
    assert response.status_code == 400
    assert says_too_long(response.json()["content"])
    assert len(response.content) < 2000
    assert Ticket.objects.count() == tickets


def _open311_post(api_as, clerk, description: str):
    return api_as(clerk).post(
        "/open311/v2/requests.json",
        {"service_code": "limits", "lat": "36.45", "long": "115.98", "description": description},
        format="json",
        **_en(),
    )


def test_a_5_mb_open311_description_is_refused_before_it_is_read(api_as, clerk, unit, category):
    tickets = Ticket.objects.count()
    response = _open311_post(api_as, clerk, "x" * (5 * 1024 * 1024))
    assert response.status_code == 413
    assert Ticket.objects.count() == tickets


def test_an_open311_description_over_its_limit_is_refused_in_open311_shape(
    api_as, clerk, unit, category
):
    tickets = Ticket.objects.count()
    response = _open311_post(api_as, clerk, "x" * (TEXT_LENGTH + 1))
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == 400
    assert body[0]["description"].startswith("description:")
    assert says_too_long(body[0]["description"])
    assert Ticket.objects.count() == tickets


def test_ticket_import_refuses_an_over_long_content_by_row(clerk, unit, category):
    header = "工单编号,受理时间,诉求分类,诉求内容,承办单位"
    rows = [
        "L001,2022-01-28 09:00,limits,路口拥堵,sq1",
        f"L002,2022-01-28 09:00,limits,{'x' * (TEXT_LENGTH + 1)},sq1",
    ]
    upload = SimpleUploadedFile("export.csv", "\n".join([header, *rows]).encode())
    with translation.override("en"):
        report = ticket_services.tickets_import(upload=upload, by=clerk)
    assert not report.ok
    errors = [(e.row, e.column, str(e.message)) for e in report.errors]
    assert [(row, field) for row, field, _m in errors] == [(3, "content")]
    assert str(TEXT_LENGTH) in errors[0][2]
    assert not Ticket.objects.filter(number__in=["L001", "L002"]).exists()  # all or nothing


def test_key_vehicle_import_refuses_an_over_long_owner_by_row(commander, unit):
    text = f"号牌号码,所属企业,原因\n鲁P12345,{'企' * 201},逾期未检验\n"
    upload = SimpleUploadedFile("register.csv", text.encode())
    report = hazard_services.key_vehicles_import(upload=upload, unit=unit, by=commander)
    assert [(e.row, e.column) for e in report.errors] == [(2, "owner")]
    assert not KeyVehicle.objects.filter(plate="鲁P12345").exists()


# --- finding 2: identifiers compared as read; a text of zero-width spaces is blank ----------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＡＢ１２", "AB12"),
        ("A\u200bB12", "AB12"),
        ("\ufeffAB12\u2060", "AB12"),
        ("AB12\u202e", "AB12"),
        (" AB12\x00 ", "AB12"),
    ],
)
def test_identifier_normaliser(typed, stored):
    assert normalise_identifier(typed) == stored
    assert normalise_identifier("鲁p 77777\u200b", upper=True, drop_spaces=True) == "鲁P77777"


@pytest.mark.parametrize("look_alike", ["2022061300001\u200b", "２０２２０６１３００００１"])
def test_a_look_alike_ticket_number_is_the_same_ticket(api_as, clerk, unit, category, look_alike):
    TicketFactory(number="2022061300001", unit=unit, category=category)
    response = api_as(clerk).post(
        reverse("petitions-api:ticket-list"),
        {
            "number": look_alike,
            "received_at": "2022-01-28T09:00:00+08:00",
            "category": category.pk,
            "unit": unit.pk,
            "content": "路口拥堵",
        },
        format="json",
        **_en(),
    )
    assert response.status_code == 400
    assert "exists" in str(response.json()["number"])
    assert Ticket.objects.filter(number="2022061300001").count() == 1


def test_an_orm_write_stores_the_identifier_normalised(unit, category):
    ticket = TicketFactory(number="ＡＢ\u200b１２", unit=unit, category=category)
    ticket.refresh_from_db()
    assert ticket.number == "AB12"
    assert Ticket.objects.filter(number="A\u200bB12").get() == ticket  # looked up alike


def test_a_look_alike_plate_is_the_same_key_vehicle(api_as, commander, unit):
    KeyVehicleFactory(plate="鲁P77777", unit=unit)
    response = api_as(commander).post(
        "/api/v1/hazards/key-vehicles/",
        {"unit": unit.pk, "plate": "鲁P77777\u200b", "reason": "overdue_inspection"},
        format="json",
        **_en(),
    )
    assert response.status_code == 400
    assert "already exists" in str(response.json()["plate"])
    assert KeyVehicle.objects.filter(plate__startswith="鲁P77777").count() == 1


def test_key_vehicle_import_matches_a_look_alike_plate(commander, unit):
    KeyVehicleFactory(plate="鲁P77777", unit=unit)
    text = "号牌号码,原因\n鲁Ｐ77777\u200b,逾期未检验\n"
    upload = SimpleUploadedFile("register.csv", text.encode())
    report = hazard_services.key_vehicles_import(upload=upload, unit=unit, by=commander)
    assert report.ok and report.created == 0
    assert list(
        KeyVehicle.objects.filter(plate__contains="77777").values_list("plate", flat=True)
    ) == ["鲁P77777"]


def test_a_reply_of_zero_width_spaces_is_blank(api_as, clerk, unit, category):
    ticket = TicketFactory(unit=unit, category=category)
    client = api_as(clerk)
    assert (
        client.post(reverse("petitions-api:ticket-sign", kwargs={"pk": ticket.pk})).status_code
        == 200
    )
    response = client.post(
        reverse("petitions-api:ticket-reply", kwargs={"pk": ticket.pk}),
        {"text": ZERO_WIDTH + " " + ZERO_WIDTH},
        format="json",
        **_en(),
    )
    assert response.status_code == 400
    assert response.json()["text"] == ["This field may not be blank."]
    assert not TicketReply.objects.filter(ticket=ticket).exists()


def test_a_reply_form_of_zero_width_spaces_is_blank(client, clerk, unit, category):
    from petitions.forms import ReplyForm

    with translation.override("en"):
        form = ReplyForm(data={"text": ZERO_WIDTH})
        assert not form.is_valid()
        assert form.errors["text"] == ["This field is required."]


def test_stored_identifiers_are_normalised_by_the_migration(unit, category):
    ticket = TicketFactory(number="A001", unit=unit, category=category)
    with connection.cursor() as cursor:  # as a look-alike was stored before the fix
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} SET number = %s WHERE id = %s",
            ["Ａ００１\u200b", ticket.pk],
        )
    step = normalise_stored_identifiers("petitions", "Ticket", "number")
    step.code(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {Ticket._meta.db_table} WHERE id = %s", [ticket.pk])
        assert cursor.fetchone()[0] == "A001"


def test_the_migration_names_look_alikes_instead_of_merging_them(unit, category):
    first = TicketFactory(number="A001", unit=unit, category=category)
    second = TicketFactory(number="A002", unit=unit, category=category)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} SET number = %s WHERE id = %s",
            ["A001\u200b", second.pk],
        )
    step = normalise_stored_identifiers("petitions", "Ticket", "number")
    with pytest.raises(RuntimeError, match="merge or rename") as refused:
        step.code(apps, SimpleNamespace(connection=connection))
    assert f"#{first.pk}" in str(refused.value) and f"#{second.pk}" in str(refused.value)


# --- finding 3: another unit's record exists, but the refusal says not whose ---------------


def test_key_vehicle_import_does_not_name_the_unit_holding_the_plate(
    clerk, commander, unit, other_unit
):
    KeyVehicleFactory(plate="鲁P77777", unit=other_unit)
    text = "号牌号码,原因\n鲁P77777,逾期未检验\n"
    for language in ("en", "zh-hans"):
        upload = SimpleUploadedFile("register.csv", text.encode())
        with translation.override(language):
            report = hazard_services.key_vehicles_import(upload=upload, unit=unit, by=commander)
            messages = " ".join(str(e.message) for e in report.errors)
        assert [(e.row, e.column) for e in report.errors] == [(2, "plate")]
        assert other_unit.name not in messages and other_unit.code not in messages
    assert KeyVehicle.objects.get(plate="鲁P77777").unit == other_unit  # untouched
