"""A ticket category's extra fields: what a client filing a ticket of that category must
say besides the matter and the place (a plate number, the lane...), declared by an
administrator as a JSON list on the category and published as the Open311 service
definition's attributes.

A declaration is a list of fields, each
``{"code": "plate", "description": "车牌号", "datatype": "string", "required": true}``:
``code`` a slug, unique in the list; ``description`` the question; ``datatype`` one of
``DATATYPES`` (default ``string``); ``required`` (default true); and for the two list
types ``values``, the choices, each ``{"key": "1", "name": "左转车道"}``.

An answer is kept in the ticket's content, one line per field ("车牌号：鲁P12345"), so
that everyone who reads the ticket reads it; nothing else stores it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

STRING, NUMBER, DATETIME, TEXT = "string", "number", "datetime", "text"
SINGLE, MULTI = "singlevaluelist", "multivaluelist"
DATATYPES = (STRING, NUMBER, DATETIME, TEXT, SINGLE, MULTI)
LISTS = (SINGLE, MULTI)
ANSWER_LENGTH = 200  # a string answer; a text answer is bounded by the ticket's content


@dataclass(frozen=True)
class ExtraField:
    """One declared field, as the service definition publishes it."""

    code: str
    description: str
    datatype: str = STRING
    required: bool = True
    values: tuple[tuple[str, str], ...] = ()

    def choice_name(self, key: str) -> str | None:
        return next((name for k, name in self.values if k == key), None)


def _field(entry: object, position: int, seen: set[str]) -> ExtraField:
    where = _("Extra field %(number)s") % {"number": position}
    if not isinstance(entry, dict):
        raise ValidationError(_("%(where)s: not an object.") % {"where": where})
    code = str(entry.get("code") or "").strip()
    try:
        validate_slug(code)
    except ValidationError:
        raise ValidationError(
            _("%(where)s: the code is required (letters, digits, - and _).") % {"where": where}
        ) from None
    if code in seen:
        raise ValidationError(
            _("%(where)s: the code “%(code)s” is used twice.") % {"where": where, "code": code}
        )
    seen.add(code)
    description = str(entry.get("description") or "").strip()
    if not description:
        raise ValidationError(_("%(where)s: the description is required.") % {"where": where})
    datatype = str(entry.get("datatype") or STRING)
    if datatype not in DATATYPES:
        raise ValidationError(
            _("%(where)s: the datatype is one of %(types)s.")
            % {"where": where, "types": ", ".join(DATATYPES)}
        )
    required = entry.get("required", True)
    if not isinstance(required, bool):
        raise ValidationError(_("%(where)s: required is true or false.") % {"where": where})
    values: list[tuple[str, str]] = []
    raw_values = entry.get("values") or []
    if datatype in LISTS:
        if not isinstance(raw_values, list) or not raw_values:
            raise ValidationError(_("%(where)s: a list needs its values.") % {"where": where})
        for value in raw_values:
            key = str(value.get("key") or "").strip() if isinstance(value, dict) else ""
            name = str(value.get("name") or "").strip() if isinstance(value, dict) else ""
            if not key or not name:
                raise ValidationError(
                    _("%(where)s: each value has a key and a name.") % {"where": where}
                )
            values.append((key, name))
    return ExtraField(code, description, datatype, required, tuple(values))


def parse(declaration: object) -> list[ExtraField]:
    """The fields of a declaration; ValidationError saying what is wrong with it."""
    if declaration in (None, ""):
        return []
    if not isinstance(declaration, list):
        raise ValidationError(_("The extra fields are a list."))
    seen: set[str] = set()
    return [_field(entry, number, seen) for number, entry in enumerate(declaration, start=1)]


def validate_declaration(value: object) -> None:
    """The model field's validator."""
    parse(value)


def fields_of(declaration: object) -> list[ExtraField]:
    """The fields of a stored declaration (validated when saved; none if it is not)."""
    try:
        return parse(declaration)
    except ValidationError:
        return []


def _answer(field: ExtraField, given: Sequence[str]) -> tuple[str | None, str | None]:
    """(the answer as the ticket keeps it, or an error)."""
    given = [value.strip() for value in given if value.strip()]
    if not given:
        return None, _("This field is required.") if field.required else None
    if field.datatype != MULTI and len(given) > 1:
        return None, _("Give one value.")
    value = given[0]
    if field.datatype == NUMBER:
        try:
            if not Decimal(value).is_finite():
                raise InvalidOperation
        except InvalidOperation:
            return None, _("Not a number: “%(value)s”.") % {"value": value}
    elif field.datatype == DATETIME:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            return None, _("Not a W3C date and time (e.g. 2022-06-13T09:30:00+08:00).")
    elif field.datatype in LISTS:
        names = [field.choice_name(key) for key in given]
        if None in names:
            unknown = given[names.index(None)]
            return None, _("Not one of the values: “%(value)s”.") % {"value": unknown}
        return "、".join(name for name in names if name), None
    elif field.datatype == STRING and len(value) > ANSWER_LENGTH:
        return None, _("At most %(limit)s characters.") % {"limit": ANSWER_LENGTH}
    return value, None


def answers(
    fields: Sequence[ExtraField], given: Mapping[str, Sequence[str]]
) -> tuple[list[str], dict[str, str]]:
    """The content lines of the answers ``given`` (field code → values sent), and the
    errors by field code (a missing required field, a value of the wrong kind, an
    answer to a field the category does not declare)."""
    lines: list[str] = []
    errors: dict[str, str] = {}
    declared = {field.code for field in fields}
    for code in given:
        if code not in declared:
            errors[code] = _("This service asks for no such attribute.")
    for field in fields:
        value, error = _answer(field, given.get(field.code, ()))
        if error:
            errors[field.code] = error
        elif value is not None:
            lines.append(f"{field.description}：{value}")
    return lines, errors


def definition(fields: Sequence[ExtraField]) -> list[dict[str, Any]]:
    """The fields as the Open311 service definition's ``attributes``."""
    return [
        {
            "variable": True,
            "code": field.code,
            "datatype": field.datatype,
            "required": field.required,
            "datatype_description": "",
            "order": order,
            "description": field.description,
            "values": [{"key": key, "name": name} for key, name in field.values],
        }
        for order, field in enumerate(fields, start=1)
    ]
