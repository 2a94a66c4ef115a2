"""The figures of the period report: one entry per figure of seed/FIGURES.md (its row
number there), in the report's six areas, each saying where its numbers come from and
so that each lists the records it counts; after them, the sections apps add of their own
(``report_registry.register_area``), whose figures have no row.

The report knows no app: each app registers its figures from its ``kpis.py``, next to its
metrics (``report_registry.register``), with the counts no metric has (``Counts``), the
lists of records its areas' sheets show (``Records``) and its areas' paragraphs of the work
summary. The figures are kept in the order of their rows (an app's own in the order it
registers them).

Numbers come from the KPI engine's metric definitions wherever a metric counts what the
report counts (``M``: a metric key, and which side of it), so the report and the dashboard
never disagree; the few figures no metric counts (training sessions by kind, banners
among commendations, roads under works) are read from their records (``C``: a name an
app's ``Counts`` answers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from brigade.core.spreadsheets import Column

if TYPE_CHECKING:
    from brigade.core.kpi.records import QuerysetRecords
    from brigade.core.report.period import Period

# --- where a number comes from ------------------------------------------------------------


@dataclass(frozen=True)
class M:
    """A side of a registered metric: ``key`` is a key the registry produces (a split
    metric's part included, ``hazards.facility_works.signal``)."""

    key: str
    side: str = "n"


@dataclass(frozen=True)
class C:
    """A count read from the records by an app's ``Counts`` (one that answers ``name``)."""

    name: str


Ref = M | C


# --- areas ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    key: str
    label: Promise


# The report's six areas, as the half-year report has them; an app adds a section of its
# own after them (``ReportRegistry.register_area``): its figures are no row of FIGURES.md.
AREAS = [
    Area("team", _("Party building and the team")),
    Area("hazards", _("Hazard investigation")),
    Area("incidents", _("Accident handling")),
    Area("traffic", _("Keeping traffic flowing")),
    Area("service", _("Serving the public")),
    Area("publicity", _("Publicity and education")),
]
AREA_LABELS = {area.key: area.label for area in AREAS}


# --- the figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure: ``numerator`` (a count or a sum) and, for a rate, ``denominator``.

    ``key`` is stable (the API's); ``unit_label`` says what is counted; ``money`` prints
    with two decimals, ``places`` with as many. The records behind it are listed from its
    numbers' definitions (``brigade.core.report.report.links``).
    """

    # its row in seed/FIGURES.md; None for a figure of an app's own section
    row: int | None
    key: str
    area: str
    label: Promise | str
    numerator: Ref
    denominator: Ref | None = None
    unit_label: Promise | str = ""
    money: bool = False
    # decimals a sum prints with (hours: one); None: as many as it has
    places: int | None = None
    # a part of another figure (one violation type of all violations corrected): the page
    # shows it under that figure
    part_of: str = ""
    # a stock (what exists at the period's end, not what happened in it): a report is
    # empty when nothing but stocks was counted
    stock: bool = False
    # work the report names without a number (重新施划交通标线): a period with no record
    # of it reads "not quantified", not 0, which would say none was done
    unquantified_if_none: bool = False

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def rate(row: int | None, key: str, area: str, label: Promise, metric: str | None = None) -> Figure:
    """A rate metric: its numerator over its denominator."""
    metric = metric or key
    return Figure(row, key, area, label, M(metric, "n"), M(metric, "d"))


def count(
    row: int | None,
    key: str,
    area: str,
    label: Promise | str,
    unit_label: Promise | str,
    of: Ref | str | None = None,
    **options: Any,
) -> Figure:
    """A count (or a sum) of ``unit_label``: the metric of its key, or ``of`` (another
    metric's key, a side of one, or a count no metric has)."""
    numerator = of if isinstance(of, M | C) else M(of or key)
    return Figure(row, key, area, label, numerator, unit_label=unit_label, **options)


# --- what an app registers besides its figures ----------------------------------------------


@dataclass
class Counted:
    """Amounts of counts no metric has, by ``C`` name, and the roads under works the work
    summary names (the report's ``roads``)."""

    amounts: dict[str, Decimal]
    roads: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Counts:
    """Counts no metric has, read from an app's records: ``names`` are the ``C`` names it
    answers, or their prefixes (ending in "."). ``count`` counts them all for a period and
    unit (None: the brigade); ``records`` lists the records behind one, from the same
    queryset as its count."""

    names: tuple[str, ...]
    count: Callable[[Period, int | None], Counted]
    records: Callable[[str, Period, int | None], QuerysetRecords]

    def answers(self, name: str) -> bool:
        return any(
            name == known or (known.endswith(".") and name.startswith(known))
            for known in self.names
        )


@dataclass(frozen=True)
class Records:
    """A list of records of one area for the period and unit, with its columns (a sheet of
    the workbook lists them under the area's figures)."""

    area: str
    title: Promise
    rows: Callable[[Period, int | None], QuerySet[Any]]
    columns: Sequence[Column]


# a list's column of the record's unit (most lists have one)
UNIT = Column(_("Unit"), "unit.shown_name", 12)


class Facts(Protocol):
    """A report's figures as the work summary's text shows them."""

    @property
    def roads(self) -> list[str]: ...

    def value(self, key: str) -> str: ...

    def numerator(self, key: str) -> str: ...

    def denominator(self, key: str) -> str: ...


Paragraph = Callable[[Facts], str]


class ReportRegistry:
    """The figures, counts, lists and paragraphs the apps register."""

    def __init__(self) -> None:
        # the figures in the order of their rows; one list, filled in place
        self.figures: list[Figure] = []
        self.counts: list[Counts] = []
        self.records: list[Records] = []
        self.paragraphs: dict[str, Paragraph] = {}

    def register(
        self,
        *figures: Figure,
        counts: Sequence[Counts] = (),
        records: Sequence[Records] = (),
        paragraphs: dict[str, Paragraph] | None = None,
    ) -> None:
        """Add an app's figures (kept in row order: a row's figures come from one app, in
        the order it registers them), its counts, its lists and its areas' paragraphs."""
        known = {figure.key for figure in self.figures}
        for figure in figures:
            if figure.key in known:
                raise ValueError(f"report figure {figure.key} is registered twice")
            if figure.area not in AREA_LABELS:
                raise ValueError(f"report figure {figure.key}: no area {figure.area}")
            known.add(figure.key)
        self.figures.extend(figures)
        # FIGURES.md's rows first, then the sections' figures in the order registered
        self.figures.sort(key=_row_order)  # stable
        self.counts.extend(counts)
        self.records.extend(records)
        for area, paragraph in (paragraphs or {}).items():
            if area in self.paragraphs:
                raise ValueError(f"the {area} paragraph is registered twice")
            self.paragraphs[area] = paragraph

    def register_area(self, area: Area) -> None:
        """Add a section of an app's own after the report's areas (the page, the API and
        both exports show it, with its figures, lists and paragraph)."""
        if area.key in AREA_LABELS:
            raise ValueError(f"the report area {area.key} is registered twice")
        AREAS.append(area)
        AREA_LABELS[area.key] = area.label

    def counts_for(self, name: str) -> Counts:
        """The counts that answer a ``C`` name; KeyError for one no app counts."""
        for counts in self.counts:
            if counts.answers(name):
                return counts
        raise KeyError(name)


def _row_order(figure: Figure) -> tuple[bool, int]:
    return (figure.row is None, figure.row or 0)


report_registry = ReportRegistry()
register_report = report_registry.register
register_report_area = report_registry.register_area

# Every figure, in the order of its row: the apps fill this list.
FIGURES: list[Figure] = report_registry.figures

# FIGURES.md rows that state a figure: each must be in the report (rows 10, 21 and 23
# state none, and the report has figures for them all the same).
ROWS_WITH_A_FIGURE = frozenset(range(1, 24)) - {10, 21, 23}


def by_key() -> dict[str, Figure]:
    return {figure.key: figure for figure in FIGURES}
