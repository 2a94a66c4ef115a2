"""Who changed what and when: a record's django-simple-history rows as entries a page lists.

Every detail page shows the same table (``templates/brigade/partials/history.html``): an
entry per saved version that changed something the page cares about, newest first, each
change with its field's label and the old and new value as a person reads them (a choice
by its label, a related record by its name, a date in the active language's format).

A fixed number of queries whatever the length of the history: the history rows with their
users, one query per related model named in them, and one for a many-to-many field's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

EMPTY = "—"
# Bookkeeping fields no reader needs to see change.
HIDDEN = frozenset({"id", "created_at", "updated_at"})


def who(user: AbstractUser | None) -> str:
    """A user as the history names them; changes made outside a request are the system's."""
    if user is None:
        return _("system")
    return user.get_full_name() or user.get_username()


def entry(
    when: dt.datetime | dt.date,
    by: AbstractUser | None,
    action: str | Promise,
    changes: list[dict[str, Any]],
    reason: str = "",
) -> dict[str, Any]:
    """One row of the history table (also for events kept outside the history, e.g. a photo);
    ``reason``: the change reason the writer recorded (on whose behalf, in what capacity)."""
    return {"when": when, "who": who(by), "action": action, "changes": changes, "reason": reason}


def change(field: str | Promise, old: str, new: str) -> dict[str, Any]:
    return {"field": field, "old": old, "new": new}


def tracked_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The model's own fields a reader may care about (every concrete field but the key
    and the timestamps)."""
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN and not getattr(f, "primary_key", False)
    )


def history_entries(
    record: models.Model,
    fields: Sequence[str] | None = None,
    *,
    created: str | Promise | None = None,
    show_initial: bool | Collection[str] = False,
    m2m: str | None = None,
    display: Mapping[str, Callable[[Any], str]] | None = None,
) -> list[dict[str, Any]]:
    """The entries of ``record``'s history, newest first.

    ``fields``: which fields' changes to show (default: all its own fields); ``created``:
    the first entry's action ("Created" unless said); ``show_initial``: list the values the
    record was created with in the first entry (all, or those of the fields named); ``m2m``:
    a many-to-many field recorded by the history (``HistoricalRecords(m2m_fields=...)``),
    shown as the names it held; ``display``: how to show a field's value where its choices
    or type do not say (e.g. a state with the app's own wording).
    """
    manager: Any = record.history  # type: ignore[attr-defined]
    rows = manager.select_related("history_user").order_by("history_date", "history_id")
    return entries_from_rows(
        list(rows),
        type(record),
        tracked_fields(type(record)) if fields is None else fields,
        created=created,
        show_initial=show_initial,
        m2m=m2m,
        display=display,
    )


def entries_from_rows(
    rows: Sequence[Any],
    model: type[models.Model],
    fields: Sequence[str],
    *,
    created: str | Promise | None = None,
    show_initial: bool | Collection[str] = False,
    m2m: str | None = None,
    display: Mapping[str, Callable[[Any], str]] | None = None,
) -> list[dict[str, Any]]:
    """``history_entries`` over history rows already read (oldest first)."""
    opts = model._meta
    attnames = {name: getattr(opts.get_field(name), "attname", name) for name in fields}
    names = _related_names(rows, model, fields, attnames)
    held: dict[int, tuple[int, ...]] = {}
    if m2m:
        held, names[m2m] = _m2m_names(rows, model, m2m)

    initial = set(fields if show_initial is True else show_initial or ())
    display = display or {}

    def show(name: str, value: Any) -> str:
        if value in (None, "", ()):
            return EMPTY
        if name in display:
            return display[name](value)
        if name in names:
            if name == m2m:
                return "、".join(names[name].get(pk, f"#{pk}") for pk in value)
            return names[name].get(value, f"#{value}")
        field: Any = opts.get_field(name)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, dt.datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, dt.date):
            return date_format(value, "DATE_FORMAT")
        if isinstance(value, Decimal):
            return number_format(value, decimal_pos=2, force_grouping=True)
        return str(value)

    def label(name: str) -> str | Promise:
        return getattr(opts.get_field(name), "verbose_name", name)

    shown = list(fields) + ([m2m] if m2m else [])
    entries: list[dict[str, Any]] = []
    previous: Any = None

    def value(of: Any, name: str) -> Any:
        return held.get(of.history_id, ()) if name == m2m else getattr(of, attnames[name])

    for row in rows:
        changes = []
        for name in shown:
            new = value(row, name)
            if previous is None:
                if name in initial and new not in (None, "", False, ()):
                    changes.append(change(label(name), EMPTY, show(name, new)))
                continue
            old = value(previous, name)
            if new != old:
                changes.append(change(label(name), show(name, old), show(name, new)))
        if previous is None or changes:
            action = (created or _("Created")) if previous is None else _("Changed")
            reason = getattr(row, "history_change_reason", None) or ""
            entries.append(entry(row.history_date, row.history_user, action, changes, reason))
        previous = row
    entries.reverse()
    return entries


def newest_first(*groups: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries from several sources (the history, photos, checks) in one list."""
    merged = [e for group in groups for e in group]
    merged.sort(key=lambda e: e["when"], reverse=True)
    return merged


def _related_names(
    rows: Sequence[Any],
    model: type[models.Model],
    fields: Sequence[str],
    attnames: dict[str, str],
) -> dict[str, dict[object, str]]:
    """The names of the related records the rows point at: one query per related model."""
    names: dict[str, dict[object, str]] = {}
    for name in fields:
        field: Any = model._meta.get_field(name)
        if not isinstance(field, models.ForeignKey):
            continue
        ids = {getattr(row, attnames[name]) for row in rows} - {None}
        target: Any = field.related_model
        names[name] = (
            {obj.pk: str(obj) for obj in target._default_manager.filter(pk__in=ids)} if ids else {}
        )
    return names


def _m2m_names(
    rows: Sequence[Any], model: type[models.Model], m2m: str
) -> tuple[dict[int, tuple[int, ...]], dict[object, str]]:
    """What the many-to-many field held at each version and the names of those records:
    two queries (the history's copies of the through rows, then the names)."""
    if not rows:
        return {}, {}
    field: Any = model._meta.get_field(m2m)
    target = field.m2m_reverse_field_name()
    copies: Any = next(
        rel.related_model
        for rel in type(rows[0])._meta.related_objects
        if rel.field.name == "history"
        and any(f.name == target for f in rel.related_model._meta.fields)
    )
    held: dict[int, list[int]] = {row.history_id: [] for row in rows}
    for version, pk in copies._default_manager.filter(history__in=list(held)).values_list(
        "history_id", f"{target}_id"
    ):
        held[version].append(pk)
    ids = {pk for pks in held.values() for pk in pks}
    related: Any = field.related_model
    names = {o.pk: str(o) for o in related._default_manager.filter(pk__in=ids)} if ids else {}
    return {version: tuple(sorted(pks)) for version, pks in held.items()}, names
