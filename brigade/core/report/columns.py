"""The columns of a list of records, read from the model: a column's header is its
field's label, and a field with choices shows the choice's label.

    columns(Hazard, "found_at unit.name road location status", location=_("Place"))

names the columns in order, space-separated; a dotted path shows an attribute of a
related record under the relation's label (``unit.name``: the unit's name, headed
"Unit"). A keyword gives a column another header than its field's, or the header of a
name that is no field (an annotation).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.text import capfirst

from brigade.core.spreadsheets import Column


def column(model: type[Model], path: str, header: Promise | str | None = None) -> Column:
    """The column of ``path`` on ``model``: headed by its field's label (a related
    record's attribute by the relation's), a choice shown by its label."""
    names = path.split(".")
    current: Any = model
    label: Any = None
    value = path
    for position, name in enumerate(names):
        try:
            field = current._meta.get_field(name)
        except (AttributeError, FieldDoesNotExist):
            break
        if field.is_relation:
            label, current = field.verbose_name, field.related_model
            continue
        if label is None or position == 0:
            label = field.verbose_name
        if field.choices and position == len(names) - 1:
            value = ".".join([*names[:-1], f"get_{name}_display"])
        break
    if header is None:
        if label is None:
            raise ValueError(f"{model.__name__}.{path} is no field: give its column a header")
        header = capfirst(label)
    return Column(header, value)


def columns(model: type[Model], paths: str, **headers: Promise | str) -> list[Column]:
    """The columns ``paths`` (space-separated) name, in order; ``headers`` by path
    (a dotted path's by its first name) where a column is headed otherwise."""
    return [
        column(model, path, headers.get(path) or headers.get(path.split(".", 1)[0]))
        for path in paths.split()
    ]
