"""Abstract bases of the domain's records: what every kept record declares alike.

A concrete model that stands on one of these gets the same columns, the same historical
table and the same options as if it spelled them out itself (no migration follows).
"""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from brigade.core.models import TimeStampedModel


class HistoricalRecord(TimeStampedModel):
    """A record with its creation and last-change times and its change history: each
    concrete model gets its own historical table (``history``), as simple-history makes it
    for ``history = HistoricalRecords()`` on the model itself."""

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
