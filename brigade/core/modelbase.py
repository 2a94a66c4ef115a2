"""Abstract bases of the domain's records: what every kept record declares alike.

A concrete model that stands on one of these gets the same columns, the same historical
table and the same options as if it spelled them out itself (no migration follows).
"""

from __future__ import annotations

from django.core.validators import validate_slug
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brigade.core.fields import IdentifierField
from brigade.core.models import TimeStampedModel
from brigade.core.names import shown_name


class HistoricalRecord(TimeStampedModel):
    """A record with its creation and last-change times and its change history: each
    concrete model gets its own historical table (``history``), as simple-history makes it
    for ``history = HistoricalRecords()`` on the model itself."""

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class NamedRecord(HistoricalRecord):
    """A record known by its name (a unit, a post, a campaign…), which is unique unless
    the model declares its own ``name``. People type the name in Chinese, and may give it
    in English too (``name_en``): a page shows the one of its language (``shown_name``),
    and ``str()`` is that name."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(
        _("name in English"),
        max_length=100,
        blank=True,
        default="",
        # empty in the database too, so that rows written by SQL or COPY (imports, the
        # benchmarks' loaders) need not know the column
        db_default="",
        help_text=_("Shown on English pages; the Chinese name is shown where this is empty."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name in the language of the page (``shown_name``)."""
        return shown_name(self.name, self.name_en)


class CodedRecord(NamedRecord):
    """Reference data with a short unique code besides its name, listed by code."""

    code = IdentifierField(
        _("code"), max_length=30, unique=True, drop_spaces=True, validators=[validate_slug]
    )

    class Meta:
        abstract = True
        ordering = ["code"]


class Tally(models.Model):
    """A count tapped up and down (+/−) on a page, one row per what it counts: it keeps
    its last change time and its history (a row per tap), but no creation time."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


def newest_first(field: str) -> list[str]:
    """A log's order: the latest ``field`` first and, among equals, the latest entered
    (a stable order to page through)."""
    return [f"-{field}", "-pk"]
