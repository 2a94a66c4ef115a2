"""Field types and the serializer base of every app's API.

- ``RelatedRef``: a foreign key is sent as an id and returned as ``{id, name, ...}``;
  the id must name a record the requesting user may see, so an unknown or out-of-scope
  id is the same 400 field error ("Invalid pk ... object does not exist"), never a leak.
- ``ChoicesField``: a choice field tied to its ``TextChoices`` class, documented as one
  named enum (``PatrolModeEnum``) however many serializers use it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, extend_schema_field
from rest_framework import serializers

from brigade.core import dates
from brigade.core.api.exceptions import validation_messages
from brigade.core.fields import (
    NOTE_LENGTH,
    TEXT_LENGTH,
    IdentifierField,
    LimitedTextField,
)
from brigade.core.privacy import mask_phone
from brigade.core.text import normalise_identifier, trim_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TIMESTAMPS = ("created_at", "updated_at")

# --- Field types --------------------------------------------------------------------------


class RelatedRef(serializers.PrimaryKeyRelatedField):
    """In: the id of a record visible to the requesting user. Out: ``{id, <display>}``."""

    def __init__(self, display: Iterable[str] = ("name",), **kwargs: Any) -> None:
        self.display = tuple(display)
        super().__init__(**kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        queryset: Any = super().get_queryset()
        return queryset.visible_to(getattr(request, "user", None))

    def to_representation(self, value: Any) -> dict[str, object]:
        return {"id": value.pk, **{name: getattr(value, name) for name in self.display}}


def model_field(field: serializers.Field) -> Any:
    """The model field a serializer field reads (``source`` on its serializer's model), or
    None: what the schema needs to know whether a read-only value can be null or blank."""
    meta = getattr(getattr(field, "parent", None), "Meta", None)
    model = getattr(meta, "model", None)
    source = getattr(field, "source", None) or getattr(field, "field_name", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except Exception:
        return None


def can_be_null(field: serializers.Field) -> bool:
    found = model_field(field)
    return bool(field.allow_null or (field.read_only and found is not None and found.null))


class RelatedRefExtension(OpenApiSerializerFieldExtension):
    target_class = RelatedRef
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> Any:
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        display = self.target.display
        properties = {"id": build_basic_type(OpenApiTypes.INT)}
        properties.update({name: build_basic_type(OpenApiTypes.STR) for name in display})
        schema = build_object_type(properties=properties, required=["id", *display])
        if can_be_null(self.target):  # a nullable foreign key shown read-only
            schema["nullable"] = True
        return schema


class ChoicesField(serializers.ChoiceField):
    """A choice field that knows its ``TextChoices`` class (for the OpenAPI enum name)."""

    def __init__(self, choices_class: type[models.TextChoices], **kwargs: Any) -> None:
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)


def _text_choices(base: type = models.TextChoices) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _text_choices(sub)


def enum_prefix(choices: type[models.TextChoices]) -> str:
    """The class's name, led by its app's when another app has a class of that name
    (hazards' and incidents' ``Severity``): one schema component per distinct enum."""
    name = choices.__name__
    if any(c.__name__ == name and c is not choices for c in _text_choices()):
        return choices.__module__.split(".")[0].title() + name
    return name


class ChoicesFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ChoicesField
    match_subclasses = True

    def _blank(self) -> bool:
        found = model_field(self.target) if self.target.read_only else None
        return bool(self.target.allow_blank or (found is not None and found.blank))

    def get_name(self) -> str:
        blank = "OrBlank" if self._blank() else ""
        return f"{enum_prefix(self.target.choices_class)}{blank}Enum"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        choices = self.target.choices_class
        values = list(choices.values) + ([""] if self._blank() else [])
        described = "\n".join(f"* `{value}` - {label}" for value, label in choices.choices)
        return {"type": "string", "enum": values, "description": described}


class _WindowMixin:
    """A date in the brigade's window (brigade.core.dates), refused with the field's name and
    the range it accepts. ``window=None`` leaves the window to the model field's own
    validators (the model serializers' fields)."""

    label: StrOrPromise | None
    validators: list[Any]  # the host field's, of its own value type

    def __init__(self, *, window: str | None = dates.HAPPENED, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.window = window

    def bind(self, field_name: str, parent: serializers.BaseSerializer) -> None:
        named = self.label is not None
        super().bind(field_name, parent)  # type: ignore[misc]
        if not named:
            # not the field's name made into English words ("New due"): the model
            # field's verbose name, translated, on a model serializer
            found = model_field(self)  # type: ignore[arg-type]
            if found is not None:
                self.label = found.verbose_name
        if self.window is not None:
            self.validators.append(dates.DateWindowValidator(self.window, self.label))


def label_of(model: type[models.Model], name: str) -> StrOrPromise:
    """A model field's verbose name (translated lazily): the label of a plain
    serializer's field that carries it, so that a refusal names it in the reader's
    language."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field.verbose_name


class TimestampField(_WindowMixin, serializers.DateTimeField):
    """A date and time that happened (or ``window=dates.PLANNED``), within the window."""


class DayField(_WindowMixin, serializers.DateField):
    """A date that happened (or ``window=dates.PLANNED``: a deadline), within the window."""


class ModelTimestampField(TimestampField):
    """A model field's date and time: its window comes with the model's validators."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(window=None, **kwargs)


# Every model serializer's date-time fields are ModelTimestampFields.
serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = ModelTimestampField


class FreeTextField(serializers.CharField):
    """Free text up to ``TEXT_LENGTH`` characters (``max_length`` says otherwise), trimmed
    of spaces and invisible characters at its ends: one of zero-width spaces is blank."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", TEXT_LENGTH)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str):
            data = trim_text(data)
        return super().run_validation(data)


class NotesField(FreeTextField):
    """Notes or a reason: free text up to ``NOTE_LENGTH`` characters."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", NOTE_LENGTH)
        super().__init__(**kwargs)


class IdentifierSerializerField(serializers.CharField):
    """A number or code that names one record, normalised as ``IdentifierField`` stores it
    before its blank, length and uniqueness checks."""

    def __init__(self, *, upper: bool = False, drop_spaces: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        self.drop_spaces = drop_spaces
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str):
            data = normalise_identifier(data, upper=self.upper, drop_spaces=self.drop_spaces)
        return super().run_validation(data)


class ModelIdentifierField(IdentifierSerializerField):
    """A model's ``IdentifierField`` (its normalisation read from the model field)."""

    def bind(self, field_name: str, parent: Any) -> None:
        super().bind(field_name, parent)
        found = model_field(self)
        if isinstance(found, IdentifierField):
            self.upper, self.drop_spaces = found.upper, found.drop_spaces


# Every model serializer's free text and identifiers are read as above.
serializers.ModelSerializer.serializer_field_mapping[LimitedTextField] = FreeTextField
serializers.ModelSerializer.serializer_field_mapping[IdentifierField] = ModelIdentifierField


@extend_schema_field(OpenApiTypes.FLOAT)
class HoursField(serializers.ReadOnlyField):
    """A duration in hours, two decimals."""

    def to_representation(self, value: Any) -> float:
        return round(value, 2)


# --- Base ---------------------------------------------------------------------------------


class ModelRulesSerializer(serializers.ModelSerializer):
    """A plain CRUD serializer that also checks the model's own ``Meta.constraints``.

    DRF does not run check constraints; without this, an end before a start would reach
    the database and fail as a 500 instead of answering 400.
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model: type[models.Model] = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.validate_constraints()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(validation_messages(exc)) from exc
        return attrs


class MaskedPhoneField(serializers.CharField):
    """A phone number of the public: written whole, always read masked (its record's audited
    ``reveal/`` action shows it, ``brigade.core.privacy``)."""

    def to_representation(self, value: Any) -> str:
        return mask_phone(str(value or ""))
