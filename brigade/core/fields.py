"""Builders for the fields and constraints that many records declare alike.

Each builder returns exactly the field or constraint a model used to spell out, so a model
that calls one keeps its columns, names and messages (and needs no migration). The caller
passes its own translated labels; only the messages that every caller shares live here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.utils.functional import _StrOrPromise as Label

OnDelete = Callable[..., None]
M = TypeVar("M", bound=models.Model)


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
