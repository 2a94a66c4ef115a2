"""A point on the map: the latitude/longitude pair, its bounds and its rule.

A record (a hazard, an accident, a ticket) is placed by both coordinates or by neither: one
alone places nothing. Degrees with six decimals (about 0.1 m), latitude within ±90,
longitude within ±180. The model, form and API fields below carry the bounds; ``check_point``
says the rule, for the services (and the forms, so that one submit shows every error).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

BOUNDS = {"latitude": 90, "longitude": 180}
BOTH_OR_NEITHER = _("Give both latitude and longitude, or neither.")


def _validators(name: str) -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(-BOUNDS[name]), MaxValueValidator(BOUNDS[name])]


def model_field(name: str) -> models.DecimalField:
    """The model field ``latitude`` or ``longitude`` (optional, bounded)."""
    verbose = _("latitude") if name == "latitude" else _("longitude")
    return models.DecimalField(
        verbose, max_digits=9, decimal_places=6, null=True, blank=True, validators=_validators(name)
    )


def form_field(name: str) -> forms.DecimalField:
    """The page's field ``latitude`` or ``longitude``: optional, bounded, a phone's decimal
    keyboard."""
    return forms.DecimalField(
        label=_("Latitude") if name == "latitude" else _("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=_validators(name),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def serializer_field(name: str) -> serializers.DecimalField:
    """The API's field ``latitude`` or ``longitude``: optional, nullable, bounded."""
    bound = BOUNDS[name]
    return serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-bound,
        max_value=bound,
        required=False,
        allow_null=True,
    )


def point_errors(
    latitude: Decimal | None,
    longitude: Decimal | None,
    *,
    on_missing: bool = False,
    bounded: bool = False,
) -> dict[str, str]:
    """The field errors of a pair given by halves: on ``latitude``, or with ``on_missing``
    on the coordinate left out; with ``bounded``, also a coordinate out of its range (for
    input no bounded field has read)."""
    errors: dict[str, str] = {}
    if (latitude is None) != (longitude is None):
        field = "longitude" if on_missing and longitude is None else "latitude"
        errors[field] = str(BOTH_OR_NEITHER)
    if bounded:
        if latitude is not None and not -90 <= latitude <= 90:
            errors["latitude"] = str(_("A latitude lies between -90 and 90."))
        if longitude is not None and not -180 <= longitude <= 180:
            errors["longitude"] = str(_("A longitude lies between -180 and 180."))
    return errors


def check_point(
    latitude: Decimal | None,
    longitude: Decimal | None,
    *,
    on_missing: bool = False,
    bounded: bool = False,
) -> None:
    """Raise ``ValidationError`` with ``point_errors`` if there are any."""
    errors = point_errors(latitude, longitude, on_missing=on_missing, bounded=bounded)
    if errors:
        raise ValidationError(errors)
