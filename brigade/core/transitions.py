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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models


def transition(
    model: type[models.Model],
    *,
    pk: Any,
    source: Mapping[str, Any],
    changes: Mapping[str, Any],
    refuse: Callable[[], Exception],
    already: Mapping[str, Any] | None = None,
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
