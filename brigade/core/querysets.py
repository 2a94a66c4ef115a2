"""Querysets every app builds on: ``visible_to(user)`` is the one way lists are scoped."""

from __future__ import annotations

import datetime as dt
from typing import Self

from django.db import models
from django.db.models import Q

from brigade.core.scope import scope_of


class ScopedQuerySet(models.QuerySet):
    """Base of every scoped queryset: subclasses name the path to the record's unit."""

    unit_path = "unit_id"

    def visible_to(self, user: object) -> Self:
        scope = scope_of(user)
        if scope.brigade_wide:
            return self.all()
        if scope.unit_id is None:
            return self.none()
        return self.filter(**{self.unit_path: scope.unit_id})


class UnitScopedQuerySet(ScopedQuerySet):
    """Records that belong to one unit through their ``unit`` field."""


class BrigadeWideQuerySet(models.QuerySet):
    """Records shared by the whole brigade (e.g. crackdown campaigns)."""

    def visible_to(self, user: object) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.all()

    def current(self, day: dt.date) -> BrigadeWideQuerySet:
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)
