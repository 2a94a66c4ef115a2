"""Builders for the fields and constraints that many records declare alike.

Each builder returns exactly the field or constraint a model used to spell out, so a model
that calls one keeps its columns, names and messages (and needs no migration). The caller
passes its own translated labels; only the messages that every caller shares live here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from brigade.core.text import normalise_identifier, trim_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.utils.functional import _StrOrPromise as Label

OnDelete = Callable[..., None]
M = TypeVar("M", bound=models.Model)

# --- Sizes of free text -------------------------------------------------------------------
# A 12345 ticket's content is a few hundred characters; the longest text of the demo data
# is under 150. Each size leaves ample margin, and no more: a page lists many of them.

#: contents, descriptions, answers, replies (what a citizen or an officer writes at length)
TEXT_LENGTH = 4000
#: a legislator's proposal and the brigade's answer to it (documents of a few pages)
DOCUMENT_LENGTH = 20000
#: notes, reasons, measures, a clearance or callback note (a sentence or a paragraph)
NOTE_LENGTH = 1000


class LimitedTextField(models.TextField):
    """A free-text column with a length limit (``TEXT_LENGTH`` unless said otherwise).

    The limit reaches the form field and the API field (both read ``max_length``) and the
    model's validation; ``length_limit`` makes the database refuse a longer value too.
    Spaces and invisible characters at the ends are trimmed, so that a text of zero-width
    spaces is blank wherever it comes from.
    """

    def __init__(self, *args: Any, max_length: int = TEXT_LENGTH, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return trim_text(value) if isinstance(value, str) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = trim_text(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        return super().formfield(
            form_class=form_class or TextFormField,
            choices_form_class=choices_form_class,
            **kwargs,
        )


def length_limit(field: str, size: int) -> models.CheckConstraint:
    """The database's own refusal of a ``field`` longer than ``size`` characters (the
    model field's ``max_length``), so that no write, however made, stores more."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), size),
        name=f"%(app_label)s_%(class)s_{field}_length",
        violation_error_message=_("This text is longer than allowed."),
    )


class IdentifierField(models.CharField):
    """A number or code that names one record (a ticket's platform number, a plate, a
    badge number): stored and looked up normalised (``text.normalise_identifier``), so
    that a look-alike (full-width letters, an invisible character) is the same record,
    found by the uniqueness check, not stored as a new one."""

    def __init__(
        self, *args: Any, upper: bool = False, drop_spaces: bool = False, **kwargs: Any
    ) -> None:
        self.upper = upper
        self.drop_spaces = drop_spaces
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.upper:
            kwargs["upper"] = True
        if self.drop_spaces:
            kwargs["drop_spaces"] = True
        return name, path, args, kwargs

    def normalise(self, value: Any) -> Any:
        if isinstance(value, str):
            return normalise_identifier(value, upper=self.upper, drop_spaces=self.drop_spaces)
        return value

    def to_python(self, value: Any) -> Any:
        return self.normalise(super().to_python(value))

    def get_prep_value(self, value: Any) -> Any:
        return self.normalise(super().get_prep_value(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.normalise(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        options = {"upper": self.upper, "drop_spaces": self.drop_spaces, **kwargs}
        return super().formfield(
            form_class=form_class or IdentifierFormField,
            choices_form_class=choices_form_class,
            **options,
        )


class TextFormField(forms.CharField):
    """A form's free-text field: trimmed of spaces and invisible characters at its ends,
    so that one of zero-width spaces is an empty (required) field."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return trim_text(text) if isinstance(text, str) else text


class IdentifierFormField(forms.CharField):
    """A form's identifier field: normalised as ``IdentifierField`` stores it."""

    def __init__(self, *, upper: bool = False, drop_spaces: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        self.drop_spaces = drop_spaces
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not isinstance(text, str):
            return text
        return normalise_identifier(text, upper=self.upper, drop_spaces=self.drop_spaces)


def user_ref(
    verbose_name: Label, *, related_name: str = "+", on_delete: OnDelete = models.SET_NULL
) -> models.ForeignKey[User | None, User | None]:
    """The (optional) user who did something to a record: recorded, uploaded, checked it…"""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
    )


@overload
def optional_fk(
    to: type[M], verbose_name: Label, *, related_name: str, on_delete: OnDelete = ...
) -> models.ForeignKey[M | None, M | None]: ...


@overload
def optional_fk(
    to: str, verbose_name: Label, *, related_name: str, on_delete: OnDelete = ...
) -> models.ForeignKey[models.Model | None, models.Model | None]: ...


def optional_fk(
    to: type[models.Model] | str,
    verbose_name: Label,
    *,
    related_name: str,
    on_delete: OnDelete = models.SET_NULL,
) -> models.ForeignKey[Any, Any]:  # the overloads above say which
    """A link a record may leave empty (a patrol's post, a hazard's source accident…)."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
    )


def ends_after_start(
    name: str, *, start: str = "starts_on", end: str = "ends_on", open_ended: bool = True
) -> models.CheckConstraint:
    """A date range whose end (if any, when ``open_ended``) is not before its start."""
    condition = Q(**{f"{end}__gte": F(start)})
    if open_ended:
        condition = Q(**{f"{end}__isnull": True}) | condition
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message=_("The end date cannot be before the start date."),
    )


def not_negative(field: str, name: str) -> models.CheckConstraint:
    """A tally's count, which a tap on "−" must not take below zero."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}),
        name=name,
        violation_error_message=_("The count cannot be negative."),
    )


def tally_rules(prefix: str, *, per: list[str], count: str) -> list[models.BaseConstraint]:
    """A tally's rules: one row per ``per`` (``<prefix>_one_per_<its last field>``) and a
    ``count`` not below zero (``<prefix>_not_negative``)."""
    return [
        models.UniqueConstraint(fields=per, name=f"{prefix}_one_per_{per[-1]}"),
        not_negative(count, f"{prefix}_not_negative"),
    ]


def one_per(fields: list[str], name: str, message: Label) -> models.UniqueConstraint:
    """One row per combination of ``fields`` (one reply per round, one attendance…)."""
    return models.UniqueConstraint(fields=fields, name=name, violation_error_message=message)


def normalise_stored_identifiers(app_label: str, model_name: str, field: str) -> Any:
    """A migration's step that stores a model's existing ``field`` values normalised as its
    ``IdentifierField`` now does. Two records whose values become the same (look-alikes
    that slipped in) stop the migration with both named, for a person to merge or rename:
    nothing is merged or renamed silently."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        column = model._meta.get_field(field)
        rows = model._base_manager.using(schema_editor.connection.alias).values_list("pk", field)
        changes = {}
        owners: dict[str, list[Any]] = {}
        for pk, value in rows.iterator():
            normalised = normalise_identifier(
                value or "", upper=column.upper, drop_spaces=column.drop_spaces
            )
            owners.setdefault(normalised, []).append((pk, value))
            if normalised != value:
                changes[pk] = normalised
        if column.unique:
            clashes = [found for value, found in owners.items() if value and len(found) > 1]
            if clashes:
                listed = "; ".join(
                    ", ".join(f"#{pk} {value!r}" for pk, value in c) for c in clashes
                )
                raise RuntimeError(
                    f"{app_label}.{model_name}.{field}: these records name the same one "
                    f"once normalised; merge or rename them, then migrate again: {listed}"
                )
        manager = model._base_manager.using(schema_editor.connection.alias)
        for pk, normalised in changes.items():
            manager.filter(pk=pk).update(**{field: normalised})

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)


def too_long(model: type[models.Model], values: Mapping[str, object]) -> dict[str, str]:
    """For each text in ``values`` longer than its ``model`` field's ``max_length``, the
    field's message: what a service or an import row says before anything is written."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            try:
                MaxLengthValidator(limit)(value)
            except ValidationError as error:
                errors[name] = error.messages[0]
    return errors
