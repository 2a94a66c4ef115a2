"""The API's filter backend: django-filter's, refusing filter values it would ignore."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

# What a yes/no filter reads: true, false, or empty (an HTML form's "any").
BOOLEAN_VALUES = {"", "true", "false", "True", "False"}


class StrictFilterBackend(DjangoFilterBackend):
    """A yes/no filter whose value is neither true nor false, or a sort naming an empty
    column, is a 400 with the field's message. django-filter reads the first ("null",
    "yes") as "any" and returns every row, which the client did not ask for, and skips
    the second. The HTML lists keep that leniency."""

    def get_filterset(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> django_filters.FilterSet | None:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {}
        for name, field in filterset.filters.items():
            values = request.query_params.getlist(name)
            if isinstance(field, django_filters.BooleanFilter) and any(
                value not in BOOLEAN_VALUES for value in values
            ):
                errors[name] = [serializers.BooleanField.default_error_messages["invalid"]]
            if isinstance(field, django_filters.OrderingFilter) and any(
                value and "" in value.split(",") for value in values
            ):
                # "a,,b": django-filter skips the empty column names without a word
                errors[name] = [
                    serializers.ChoiceField.default_error_messages["invalid_choice"].format(
                        input=""
                    )
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return filterset
