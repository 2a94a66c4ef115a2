"""The fields whose changes an accident's and an advance's pages list, and the list itself."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from brigade.core import history


def history_entries(record: Model, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The record's history, newest first, the first entry with the values it was created with."""
    return history.history_entries(record, fields, show_initial=True)


ACCIDENT_HISTORY = (
    "occurred_at",
    "road",
    "place",
    "severity",
    "handling_mode",
    "hit_and_run",
    "solved_at",
    "solved_how",
    "mediation",
    "notes",
)
ADVANCE_HISTORY = (
    "beneficiary",
    "payee",
    "purpose",
    "amount",
    "status",
    "rejected_reason",
    "paid_at",
    "recovery_due",
    "amount_recovered",
    "notes",
)
