"""The conditional update every state transition is made of, and what a repeat gets.

A transition is ``UPDATE ... WHERE pk = ? AND <in a source state>``: zero rows means the
record is no longer where the action starts, and the caller refuses (HTTP 409, naming the
state it is in). One case is no conflict: the record is already where the action leads
(a ticket signed by the first of two taps, a patrol ended by a request whose answer was
lost). Then the action's outcome is there, so the repeat answers with the record as it is
(API: 200 with the record; page: the usual success) and writes nothing. Only actions
whose repeat adds nothing name such a target state (sign, close, end, verify, approve);
an action that carries content of its own (a reply's text, a return's reason) is still
refused, and so is every action on a record in any other state (reply on a closed
ticket: 409).

Which action starts from which state, where it leads and who may do it is declared once per
model as a ``TransitionTable`` (next to the model: ``hazards/transitions.py``...): the
services refuse through it (``move``), the pages build their buttons from it (``offered``)
and the API takes its action roles from it (``roles``). ``move`` is the one state change:
the conditional update, then ``record_change`` (the history row and the KPI engine's view).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from brigade.core.errors import TransitionNotAllowed


def transition(
    model: type[models.Model],
    *,
    pk: object,
    source: Mapping[str, object],
    changes: Mapping[str, object],
    refuse: Callable[[], Exception],
    already: Mapping[str, object] | None = None,
) -> bool:
    """Move row ``pk`` from ``source`` (filter lookups) by ``changes``: True if it moved,
    False if it is already in ``already`` (a repeat: nothing written); else ``refuse()``
    is raised."""
    manager = model._default_manager
    if manager.filter(pk=pk, **source).update(**changes):
        return True
    if already is not None and manager.filter(pk=pk, **already).exists():
        return False
    raise refuse()


# --- the declared tables ----------------------------------------------------------------------

RoleCheck = Callable[[frozenset[str]], bool]


@dataclass(frozen=True)
class Action:
    """One row of a transition table: from ``sources`` the action leads to ``target``.

    ``target`` None: the state stays (photos, an extension request) or the service picks
    it (a reopened ticket goes back to signed or handling). ``roles`` None: whoever may
    write the record. ``repeatable``: a repeat that finds the record in ``target`` answers
    with it (see the module's docstring). ``guard``: what beyond the state the action
    needs of the record (a ticket's round not yet called back). ``check``: the action checks
    someone's work (approve, verify): never by whoever did it, and the brigade's second
    approver may do it besides ``roles`` (``brigade.core.permissions.four_eyes``)."""

    name: str
    sources: tuple[str, ...]
    target: str | None = None
    roles: frozenset[str] | None = None
    repeatable: bool = False
    guard: Callable[[Any], bool] | None = None
    check: bool = False


@dataclass(frozen=True)
class TransitionTable:
    """state × action → next state (and who may), declared once per model; the services,
    the pages' buttons and the API read it.

    ``field``: the model field holding the state. A state computed from several fields
    (an accident's case) gives ``state_of`` (record → state) and ``lookups`` (state →
    filter lookups selecting the rows in it) instead."""

    states: tuple[str, ...]
    actions: tuple[Action, ...]
    field: str = "status"
    state_of: Callable[[Any], str] | None = None
    lookups: Mapping[str, Mapping[str, object]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        for action in self.actions:
            unknown = set(action.sources) - set(self.states)
            if action.target is not None:
                unknown |= {action.target} - set(self.states)
            if unknown:
                raise ValueError(f"{action.name}: unknown states {sorted(unknown)}")

    def __getitem__(self, name: str) -> Action:
        for action in self.actions:
            if action.name == name:
                return action
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(action.name for action in self.actions)

    def state(self, record: models.Model) -> str:
        if self.state_of is not None:
            return self.state_of(record)
        return str(getattr(record, self.field))

    def allows(self, state: str, name: str) -> bool:
        """Whether the action may start from ``state`` (the state alone)."""
        return state in self[name].sources

    def can(
        self,
        record: models.Model,
        name: str,
        has: RoleCheck | None = None,
        *,
        checker: bool = False,
    ) -> bool:
        """Whether ``record`` in its state (and guard) allows the action, and, given
        ``has`` (roles → does the user hold one), whether the user may do it; ``checker``:
        the user may do the checking actions whatever their role (the second approver)."""
        action = self[name]
        if self.state(record) not in action.sources:
            return False
        if action.guard is not None and not action.guard(record):
            return False
        if checker and action.check:
            return True
        return has is None or action.roles is None or has(action.roles)

    def offered(
        self, record: models.Model, has: RoleCheck, *, checker: bool = False
    ) -> dict[str, bool]:
        """Every action of the table: may this user do it on this record now (the page's
        buttons)."""
        return {name: self.can(record, name, has, checker=checker) for name in self.names}

    def checks(self) -> frozenset[str]:
        """The actions that check someone's work (the API's ``check_actions``)."""
        return frozenset(a.name for a in self.actions if a.check)

    def roles(self) -> dict[str, frozenset[str]]:
        """The actions that name their roles (the API's ``action_roles``)."""
        return {a.name: a.roles for a in self.actions if a.roles is not None}

    def source(self, name: str) -> dict[str, object]:
        """Filter lookups selecting the rows the action may start from."""
        sources = self[name].sources
        if not self.lookups:
            return {f"{self.field}__in": list(sources)}
        if len(sources) != 1:
            raise ValueError(f"{name}: a computed state takes one source state")
        return dict(self.lookups[sources[0]])

    def already(self, name: str) -> dict[str, object] | None:
        """Filter lookups of a repeat's outcome (None: a repeat is refused)."""
        action = self[name]
        if not action.repeatable or action.target is None:
            return None
        if self.lookups:
            return dict(self.lookups[action.target])
        return {self.field: action.target}


def refusal(
    record: models.Model,
    text: str,
    /,
    *,
    label: Callable[[str], str],
    field: str = "status",
    **values: object,
) -> TransitionNotAllowed:
    """The 409 of a refused action: ``text`` with ``values`` and, as ``%(state)s``, the
    ``label`` of the state the record is in now (read again: another request may have moved
    it; as loaded if the row is gone)."""
    manager = type(record)._default_manager
    state = manager.filter(pk=record.pk).values_list(field, flat=True).first()
    state = state or getattr(record, field)
    return TransitionNotAllowed(text % {**values, "state": label(state)}, state=state)


def record_change(record: models.Model) -> None:
    """After a conditional update (which bypasses ``save()``): reload the record, then save
    its ``updated_at`` so the history gets its row and the KPI engine sees the change."""
    record.refresh_from_db()
    record.save(update_fields=["updated_at"])


def move(
    record: models.Model,
    table: TransitionTable,
    name: str,
    *,
    changes: Mapping[str, object],
    refuse: Callable[[], Exception],
    extra: Mapping[str, object] | None = None,
) -> bool:
    """The one state change: the conditional update of action ``name`` of ``table`` from its
    source states (plus ``extra`` lookups) to its target (plus ``changes``), then the
    history and KPI tracking of ``record_change``. True if it moved; False for a repeat of a
    repeatable action (the record reloaded as it is, nothing written); else ``refuse()``
    is raised. ``updated_at`` is set to now unless ``changes`` say otherwise."""
    action = table[name]
    target = {} if action.target is None or table.lookups else {table.field: action.target}
    moved = transition(
        type(record),
        pk=record.pk,
        source={**table.source(name), **(extra or {})},
        changes={**target, "updated_at": timezone.now(), **changes},
        refuse=refuse,
        already=table.already(name),
    )
    if moved:
        record_change(record)
    else:
        record.refresh_from_db()
    return moved
