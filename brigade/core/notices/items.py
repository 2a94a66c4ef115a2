"""Every due item of every registered source, with the person who must act on it.

``collect(day)`` reads each source once, then resolves holders for the whole set at once:
an item without a holder, or whose holder is off duty that day, goes to its unit's clerks
(those on duty), else its commanders, else the brigade's commanders. A fixed number of
queries per source and per call, never per person or item.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.sql.constants import MULTI

from brigade.core.notices.models import NoticeMute
from brigade.core.notices.registry import ROW_KEYS, Member, Source, notice_sources, roster
from brigade.core.roles import DESK_CHAIN, Role


class ItemRow(NamedTuple):
    """One due item for one person (a tuple: a day's digests read tens of thousands)."""

    user_id: int
    action: str
    model: str  # "petitions.ticket"
    item_id: int
    unit_id: int | None
    due: dt.date
    title: str
    url: str
    overdue: bool

    @property
    def source_key(self) -> str:
        """The key of the source the item came from (``petitions.ticket:sign``)."""
        return f"{self.model}:{self.action}"


class Due(NamedTuple):
    """One due item as its source gives it, before its holder is resolved (a tuple: a
    day's collection makes tens of thousands)."""

    source: Source
    item_id: int
    unit_id: int | None
    due: dt.date
    holder_id: int | None
    title: str
    overdue: bool


def due_items(
    day: dt.date, *, horizon: dt.date | None = None, sources: Iterable[Source] | None = None
) -> list[Due]:
    """The open items of every source (or of ``sources``) due by ``horizon``: one query
    per source."""
    found: list[Due] = []
    append = found.append
    for source in sources if sources is not None else notice_sources:
        for item_id, unit_id, due, holder_id, title, overdue in _tuples(
            source.rows(day, horizon).values_list(*ROW_KEYS)
        ):
            append(Due(source, item_id, unit_id, due, holder_id, str(title or ""), bool(overdue)))
    return found


def _tuples(rows: QuerySet[Any, tuple[Any, ...]]) -> Iterator[Sequence[Any]]:
    """The rows as the database driver gives them, in ``ROW_KEYS``' order. PostgreSQL's
    driver already gives ints, dates, booleans and strings, so Django's per-row converters
    (a third of reading a day's tens of thousands of items) are skipped there; any other
    database gets them."""
    if connections[rows.db].vendor != "postgresql":
        return iter(rows)
    compiler = rows.query.get_compiler(using=rows.db)
    results = compiler.execute_sql(MULTI)
    return chain.from_iterable(results) if results is not None else iter(())


class Desk:
    """The people items fall back to, read once: each unit's members by role, the
    brigade's commanders (at headquarters), and who of them is off duty."""

    def __init__(self, members: Sequence[Member], off_duty: set[int]) -> None:
        self.off_duty = off_duty
        self.by_role: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.brigade_commanders: list[int] = []
        for m in sorted(members, key=lambda m: m.user_id):
            for role in m.roles:
                self.by_role[(m.unit_id, role)].append(m.user_id)
            if Role.COMMANDER in m.roles and m.at_headquarters:
                self.brigade_commanders.append(m.user_id)

    @classmethod
    def load(cls, day: dt.date, also: Iterable[int] = (), roles: Iterable[str] = ()) -> Desk:
        """Reads the clerks, the commanders and any other ``roles`` (one query), and who of
        them, and of ``also`` (the items' holders), is off duty on ``day`` (the roster's
        fixed queries)."""
        r = roster()
        members = r.members(sorted({Role.CLERK, Role.COMMANDER, *roles}))
        ids = {m.user_id for m in members} | set(also)
        return cls(members, r.off_duty(ids, day) if ids else set())

    def on_duty(self, user_ids: Sequence[int]) -> list[int]:
        return [u for u in user_ids if u not in self.off_duty]

    def fallback(self, unit_id: int | None, roles: Sequence[str] = DESK_CHAIN) -> list[int]:
        """Who takes an item of ``unit_id`` nobody (on duty) holds: the unit's people of
        the first of ``roles`` who has any on duty (clerks, then commanders), else the
        brigade's commanders on duty; when all of those are off duty, the unit's (or the
        brigade's) commanders all the same, so that no item goes unnoticed."""
        if unit_id is not None:
            for role in roles:
                present = self.on_duty(self.by_role.get((unit_id, role), []))
                if present:
                    return present
        present = self.on_duty(self.brigade_commanders)
        if present:
            return present
        return self.commanders(unit_id) or list(self.brigade_commanders)

    def commanders(self, unit_id: int | None) -> list[int]:
        return list(self.by_role.get((unit_id, Role.COMMANDER), [])) if unit_id else []

    def unit_commanders(self, unit_id: int | None) -> list[int]:
        """The commanders of ``unit_id`` (those on duty when any are), else the brigade's."""
        group = self.commanders(unit_id)
        if not group:
            return self.brigade_commanders_now()
        return self.on_duty(group) or group

    def brigade_commanders_now(self) -> list[int]:
        """The brigade's commanders (those on duty when any are)."""
        return self.on_duty(self.brigade_commanders) or list(self.brigade_commanders)

    def holders(self, due: Due) -> list[int]:
        """Who acts on ``due``: its holder when on duty, else its unit's desk."""
        if due.holder_id is not None and due.holder_id not in self.off_duty:
            return [due.holder_id]
        return self.fallback(due.unit_id, due.source.desk)


def resolve(found: Sequence[Due], day: dt.date) -> list[ItemRow]:
    """The items with their holders resolved for ``day``."""
    if not found:
        return []
    desk = Desk.load(
        day,
        also={d.holder_id for d in found if d.holder_id is not None},
        roles={role for d in found for role in d.source.desk},
    )
    rows: list[ItemRow] = []
    append = rows.append
    # by the source's id: hashing a Source hashes its lazily translated label
    sources = {id(d.source): d.source for d in found}
    info = {
        pk: (source.action, source.model_label, *source.url_prefix_suffix)
        for pk, source in sources.items()
    }
    # who holds an item depends only on its holder, unit and desk: worked out once each
    holders: dict[tuple[int | None, int | None, tuple[str, ...]], list[int]] = {}
    for d in found:
        action, model, prefix, suffix = info[id(d.source)]
        url = f"{prefix}{d.item_id}{suffix}"
        key = (d.holder_id, d.unit_id, d.source.desk)
        people = holders.get(key)
        if people is None:
            people = holders[key] = desk.holders(d)
        for user_id in people:
            append(
                ItemRow(
                    user_id, action, model, d.item_id, d.unit_id, d.due, d.title, url, d.overdue
                )
            )
    return rows


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a day's items are read: tens of
    thousands of tuples, none of them in a cycle, made a collection run every few hundred
    of them (a third of the whole day's digests went in those)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def collect(day: dt.date, *, horizon: dt.date | None = None) -> list[ItemRow]:
    """Every open item due by ``horizon`` (default: the reminders' window after ``day``)
    or overdue, once per person who must act on it on ``day``. Mutes are not applied
    (``unmuted``)."""
    with gc_paused():
        return resolve(due_items(day, horizon=horizon), day)


def unmuted(rows: Sequence[ItemRow]) -> list[ItemRow]:
    """``rows`` without those their person muted (the whole action, or the one item).
    One query for the mutes of the people in ``rows``."""
    users = {r.user_id for r in rows}
    if not users:
        return list(rows)
    muted_actions: set[tuple[int, str]] = set()
    muted_items: set[tuple[int, str, int]] = set()
    for user_id, action, app_label, model, item_id in NoticeMute.objects.filter(
        Q(user_id__in=users)
    ).values_list("user_id", "action", "item_type__app_label", "item_type__model", "item_id"):
        if action:
            muted_actions.add((user_id, action))
        if app_label and item_id is not None:
            muted_items.add((user_id, f"{app_label}.{model}", item_id))
    return [
        r
        for r in rows
        if (r.user_id, r.action) not in muted_actions
        and (r.user_id, r.model, r.item_id) not in muted_items
    ]


def content_type_ids(models: Iterable[str]) -> dict[str, int]:
    """The content type id of each model label (``petitions.ticket``), from Django's
    cache after its first use."""
    out: dict[str, int] = {}
    for label in set(models):
        app_label, model = label.split(".", 1)
        out[label] = ContentType.objects.get_by_natural_key(app_label, model).pk
    return out
