"""Which unit a new record belongs to: the one rule every page, API view and service reads.

A new record belongs to the unit the user chose (forms and serializers only offer the
units in the user's scope), else to the unit of the user's own officer profile, else to
what the caller falls back on (the unit of the officers named on an outreach record; on the
hazard pages, the first unit an administrator without a unit may see). With none of these
there is no unit: ``unit_of_new_record`` answers None and the caller says, in its own
words, what is missing; ``require_unit`` answers a 400 on the ``unit`` field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from django.core.exceptions import ValidationError
from django.utils.functional import Promise

from brigade.core.scope import scope_of

U = TypeVar("U")


def unit_of_new_record(
    user: object, chosen: U | None = None, *, otherwise: Callable[[], U | None] | None = None
) -> U | None:
    """The unit a record ``user`` creates belongs to: ``chosen``, else the user's own unit,
    else ``otherwise()``; None when there is none."""
    if chosen is not None:
        return chosen
    officer = scope_of(user).officer
    if officer is not None:
        return cast("U", officer.unit)
    return otherwise() if otherwise is not None else None


def require_unit(
    user: object,
    chosen: U | None = None,
    *,
    message: str | Promise,
    otherwise: Callable[[], U | None] | None = None,
) -> U:
    """``unit_of_new_record``, or a ``ValidationError`` with ``message`` on ``unit``."""
    unit = unit_of_new_record(user, chosen, otherwise=otherwise)
    if unit is None:
        raise ValidationError({"unit": message})
    return unit
