"""The columns of a list or an export of records, read from the model: a column's header
is its field's label, a field with choices shows the choice's label, and a date or time is
as wide as its kind wants.

    columns(Hazard, "found_at unit.name road location status", location=_("Place"))
    columns(PatrolLog, "officer.name mode", ("notes", 30), Column(_("Started"), "started_at"))

A string names columns in order, space-separated; ``(path, width)`` gives one its width;
a ``Column`` is taken as written (a header or a value that is no field's). A dotted path
shows an attribute of a related record under the relation's label (``unit.name``: the
unit's name, headed "Unit"). A keyword gives a column another header than its field's
(a dotted path's by its first name).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.text import capfirst

from brigade.core.spreadsheets import Column

# A column: its path(s), its path and width, or a column written out.
ColumnSpec = str | tuple[str, int] | Column

# A column's width by the kind of its field, where no width is given.
DATETIME_WIDTH = 18
DATE_WIDTH = 12


def default_width(field: object) -> int:
    if isinstance(field, models.DateTimeField):
        return DATETIME_WIDTH
    if isinstance(field, models.DateField):
        return DATE_WIDTH
    return Column.width


def column(
    model: type[Model],
    path: str,
    header: Promise | str | None = None,
    width: int | None = None,
) -> Column:
    """The column of ``path`` on ``model``: headed by its field's label (a related record's
    attribute by the relation's), a choice shown by its label, as wide as given or as the
    kind of its first field wants (``default_width``)."""
    names = path.split(".")
    current: Any = model
    label: Any = None
    first: Any = None
    value = path
    for position, name in enumerate(names):
        try:
            field = current._meta.get_field(name)
        except (AttributeError, FieldDoesNotExist):
            break
        first = field if first is None else first
        if field.is_relation:
            label, current = field.verbose_name, field.related_model
            continue
        if label is None or position == 0:
            label = field.verbose_name
        if field.choices and position == len(names) - 1:
            value = ".".join([*names[:-1], f"get_{name}_display"])
        elif name == "name" and hasattr(current, "shown_name") and position == len(names) - 1:
            # a name typed in two languages (NamedRecord): the reader's
            value = ".".join([*names[:-1], "shown_name"])
        break
    if header is None:
        if label is None:
            raise ValueError(f"{model.__name__}.{path} is no field: give its column a header")
        header = capfirst(label)
    return Column(header, value, width=default_width(first) if width is None else width)


def columns(model: type[Model], *specs: ColumnSpec, **headers: Promise | str) -> tuple[Column, ...]:
    """The columns ``specs`` name, in order (see the module's text)."""

    def header(path: str) -> Promise | str | None:
        return headers.get(path) or headers.get(path.split(".", 1)[0])

    found: list[Column] = []
    for spec in specs:
        if isinstance(spec, Column):
            found.append(spec)
        elif isinstance(spec, tuple):
            path, width = spec
            found.append(column(model, path, header(path), width))
        else:
            found.extend(column(model, path, header(path)) for path in spec.split())
    return tuple(found)
