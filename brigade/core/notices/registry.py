"""The registry of due items: each domain app registers, per thing a person must do
(sign, reply, rectify…), a ``Source`` that lists its open items due soon or overdue in one
query. The core reads the registry and never a domain table.

The duty domain also registers who is who (``roster``): the people of each unit by role,
and who is off duty on a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value
from django.urls import reverse
from django.utils.functional import Promise

from brigade.core.notices.hours import window_end
from brigade.core.roles import DESK_CHAIN

# the keys of each dict a source's ``rows`` gives
ROW_KEYS = ("item_id", "unit_id", "due", "holder_id", "title", "overdue")

_SENTINEL_ID = 987654321


@dataclass(frozen=True)
class Source:
    """One kind of due item of one model, e.g. tickets to sign.

    ``query(day, until)`` answers, in one query, ``values()`` dicts with the keys of
    ``ROW_KEYS`` for every open item due on or before ``until`` (overdue ones included):
    ``holder_id`` is the user who holds the item (None: the unit's desk takes it),
    ``overdue`` whether its deadline had passed by ``day``. ``url_name`` is the record's
    page, reversed with the item's id. ``desk``: the roles of the item's unit who take it
    when nobody (on duty) holds it, in order (then the brigade's commanders).
    """

    action: str  # a NoticeAction
    label: str | Promise
    model: str  # "app_label.ModelName"
    query: Callable[[dt.date, dt.date], QuerySet[Any, dict[str, Any]]]
    url_name: str
    desk: tuple[str, ...] = DESK_CHAIN

    @property
    def key(self) -> str:
        """Unique per source: ``petitions.ticket:sign``."""
        return f"{self.model.lower()}:{self.action}"

    @property
    def model_label(self) -> str:
        """The model's label as content types spell it: ``petitions.ticket``."""
        return self.model.lower()

    def rows(self, day: dt.date, until: dt.date | None = None) -> QuerySet[Any, dict[str, Any]]:
        """The open items due by ``until`` (by default: the reminders' window after
        ``day``), overdue ones included."""
        return self.query(day, until or window_end(day))

    def url(self, item_id: int) -> str:
        return self.url_prefix_suffix[0] + str(item_id) + self.url_prefix_suffix[1]

    @property
    def url_prefix_suffix(self) -> tuple[str, str]:
        # reversed once per source, not once per row (a digest links thousands of items)
        cached = _url_cache.get(self.url_name)
        if cached is None:
            whole = reverse(self.url_name, args=[_SENTINEL_ID])
            prefix, _, suffix = whole.partition(str(_SENTINEL_ID))
            cached = _url_cache[self.url_name] = (prefix, suffix)
        return cached


_url_cache: dict[str, tuple[str, str]] = {}


def due_rows(
    rows: QuerySet[Any],
    day: dt.date,
    *,
    due: str,
    title: Any,
    unit: str = "unit_id",
    holder: Any = None,
) -> QuerySet[Any, dict[str, Any]]:
    """A source's answer in the shape of ``ROW_KEYS``, written once: ``rows`` are its open
    items due by the window's end; ``due`` names their deadline (a field or an annotation),
    ``unit`` the path to their unit, ``title`` the expression of their title, ``holder``
    the expression of who holds them (None: nobody, their unit's desk takes them).
    ``overdue``: the deadline had passed by ``day``."""
    shape: dict[str, Any] = {
        "item_id": F("pk"),
        "due": F(due),
        "holder_id": holder if holder is not None else Value(None, output_field=IntegerField()),
        "title": title,
        "overdue": ExpressionWrapper(Q(**{f"{due}__lt": day}), output_field=BooleanField()),
    }
    rows = rows.order_by()
    if unit == "unit_id":  # the model's own column: named as it is
        return rows.values("unit_id", **shape)
    return rows.values(unit_id=F(unit), **shape)


class SourceRegistry:
    """The due items' sources, by key; registering a key again replaces it."""

    def __init__(self) -> None:
        self._sources: dict[str, Source] = {}

    def register(self, *sources: Source) -> None:
        for source in sources:
            self._sources[source.key] = source

    def __iter__(self) -> Iterator[Source]:
        return iter(sorted(self._sources.values(), key=lambda s: s.key))

    def __len__(self) -> int:
        return len(self._sources)

    def get(self, key: str) -> Source:
        return self._sources[key]


notice_sources = SourceRegistry()


@dataclass(frozen=True)
class Member:
    """A user of the brigade who may be handed items: their unit and roles there."""

    user_id: int
    unit_id: int
    roles: frozenset[str]
    at_headquarters: bool


@dataclass
class Roster:
    """Who is who, told by the app that holds units and officers (the duty domain).

    ``members(roles)``: every active member holding any of ``roles``, in one query;
    ``off_duty(user_ids, day)``: those of ``user_ids`` who are off duty on ``day`` (on
    leave, or working shifts but none that day), in a fixed number of queries.
    """

    members: Callable[[Iterable[str]], list[Member]]
    off_duty: Callable[[Iterable[int], dt.date], set[int]]
    extra: dict[str, Any] = field(default_factory=dict)


_roster: list[Roster] = []


def register_roster(roster: Roster) -> None:
    _roster[:] = [roster]


def roster() -> Roster:
    """The registered roster; without one (no duty domain), nobody is off duty and the
    desk fallback finds nobody."""
    if not _roster:
        return Roster(members=lambda roles: [], off_duty=lambda user_ids, day: set())
    return _roster[0]
