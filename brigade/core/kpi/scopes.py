"""Which scope a dashboard request reads: the brigade or one unit the user may see."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from brigade.core.kpi.read import FigureScope
from brigade.core.names import shown_name
from brigade.core.scope import organisation, scope_of
from brigade.core.typing import Visitor

Rows = TypeVar("Rows", bound=QuerySet[Model])


def of_unit(records: Rows, unit_id: int | None, path: str = "unit_id") -> Rows:
    """``records`` of one unit (``path``: where a record's unit id is), or all of them for
    the brigade (``unit_id`` None)."""
    return records if unit_id is None else records.filter(**{path: unit_id})


def visible_units(user: Visitor) -> dict[int, str]:
    """The units the user may read figures of (id → name in the page's language,
    ``shown_name``), headquarters first. One query."""
    rows = organisation().units_of(user).values_list("pk", "name", "name_en")
    return {pk: shown_name(name, name_en) for pk, name, name_en in rows}


def resolve_scope(
    user: Visitor, unit_id: int | None, units: dict[int, str] | None = None
) -> FigureScope:
    """``unit_id`` if the user may see it, else 404; without one, the brigade for a
    brigade-wide user and the user's own unit for everyone else.

    ``units`` (from ``visible_units``) saves the query when the caller has it already.
    """
    scope = scope_of(user)
    if unit_id is None:
        if scope.brigade_wide:
            return FigureScope(unit_id=None, name=settings.BRIGADE_NAME)
        if scope.unit_id is None:
            raise Http404(_("Your account is not linked to a unit."))
        unit_id = scope.unit_id
    if units is not None:
        name = units.get(unit_id)
    else:
        row = (
            organisation().units_of(user).filter(pk=unit_id).values_list("name", "name_en").first()
        )
        name = None if row is None else shown_name(*row)
    if name is None:
        raise Http404(_("No such unit in your scope."))
    return FigureScope(unit_id=unit_id, name=name)
