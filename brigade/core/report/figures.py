"""The figures of the period report: one entry per figure of seed/FIGURES.md (its row
number there), in the report's six areas, each saying where its numbers come from and
so that each lists the records it counts.

Numbers come from the KPI engine's metric definitions wherever a metric counts what the
report counts (``M``: a metric key, and which side of it), so the report and the dashboard
never disagree; the few figures no metric counts (training sessions by kind, banners
among commendations, roads under works) are read from their records (``C``, see
``brigade.core.report.compute.custom_records``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- where a number comes from ------------------------------------------------------------


@dataclass(frozen=True)
class M:
    """A side of a registered metric: ``key`` is a key the registry produces (a split
    metric's part included, ``hazards.facility_works.signal``)."""

    key: str
    side: str = "n"


@dataclass(frozen=True)
class C:
    """A count read from the records by ``compute``'s own queries (``custom_records``)."""

    name: str


Ref = M | C


# --- areas ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    key: str
    label: Promise


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
    with two decimals. The records behind it are listed from its numbers' definitions
    (``brigade.core.report.report.links``).
    """

    row: int
    key: str
    area: str
    label: Promise | str
    numerator: Ref
    denominator: Ref | None = None
    unit_label: Promise | str = ""
    money: bool = False
    # a part of another figure (one violation type of all violations corrected): the page
    # shows it under that figure
    part_of: str = ""

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def _training(row: int, kind: str, label: Promise, unit_label: Promise) -> Figure:
    return Figure(
        row,
        f"training.{kind}",
        "team",
        label,
        C(f"training.sessions.{kind}"),
        unit_label=unit_label,
    )


def _rate(row: int, key: str, area: str, label: Promise, metric: str | None = None) -> Figure:
    """A rate metric: its numerator over its denominator."""
    metric = metric or key
    return Figure(row, key, area, label, M(metric, "n"), M(metric, "d"))


_FACILITY = [
    ("signal", _("Signal lights repaired"), pgettext_lazy("counted", "places")),
    ("sign_pole", _("Signs and poles repaired"), pgettext_lazy("counted", "places")),
    ("school_front", _("School fronts made safe"), pgettext_lazy("counted", "schools")),
    ("parking_bay", _("Parking bays painted"), pgettext_lazy("counted", "bays")),
    ("marking", _("Markings repainted"), pgettext_lazy("counted", "places")),
]
# the report names the first four; the other venues of the "seven intos" are parts of all
_VENUES = [
    ("enterprise", _("Publicity in enterprises"), ""),
    ("school", _("Publicity in schools"), ""),
    ("community", _("Publicity in communities"), ""),
    ("key_date", _("Key-date campaigns"), ""),
    ("village", _("Publicity in villages"), "outreach.events"),
    ("family", _("Publicity in families"), "outreach.events"),
    ("workplace", _("Publicity in workplaces"), "outreach.events"),
    ("station", _("Publicity at stations"), "outreach.events"),
]
_ASSISTANCE = [
    ("medical_escort", _("Sick people escorted to hospital")),
    ("reunited", _("Lost elders and children reunited")),
    ("lost_property", _("Lost property returned")),
    ("exam_escort", _("Examinees escorted")),
    ("other", _("Other help")),
]


def _violations() -> list[Figure]:
    from brigade.duty.choices import ViolationKind

    return [
        Figure(
            23,
            f"brigade.violations.{kind.value}",
            "traffic",
            kind.label,
            M(f"brigade.violations.{kind.value}"),
            unit_label=pgettext_lazy("counted", "violations"),
            part_of="brigade.violations_corrected",
        )
        for kind in ViolationKind
    ]


FIGURES: list[Figure] = [
    # --- rows 1-5: study and training ---
    _training(1, "study", _("Concentrated study sessions"), pgettext_lazy("counted", "sessions")),
    _training(2, "lecture", _("Special lectures attended"), pgettext_lazy("counted", "lectures")),
    _training(
        3,
        "education",
        _("Warning and hero education viewings"),
        pgettext_lazy("counted", "sessions"),
    ),
    _training(4, "drill", _("Drill batches"), pgettext_lazy("counted", "batches")),
    Figure(
        4,
        "training.drill_participants",
        "team",
        _("Drill participants (police, auxiliaries, security staff)"),
        C("training.attended.drill"),
        unit_label=pgettext_lazy("counted", "person-times"),
    ),
    Figure(
        5,
        "training.motorcycle_trainees",
        "team",
        _("Motorcycle skills trainees"),
        C("training.attended.motorcycle"),
        unit_label=pgettext_lazy("counted", "officers"),
    ),
    Figure(
        5,
        "training.motorcycle_passed",
        "team",
        _("Motorcycle trainees who passed the assessment"),
        C("training.passed.motorcycle"),
        C("training.attended.motorcycle"),
    ),
    # --- rows 6-8: hazards ---
    Figure(
        6,
        "hazards.found",
        "hazards",
        _("Hazards found"),
        M("hazards.found"),
        unit_label=pgettext_lazy("counted", "hazards"),
    ),
    Figure(
        6,
        "hazards.verified",
        "hazards",
        _("Hazards rectified (verified)"),
        M("hazards.verified"),
        unit_label=pgettext_lazy("counted", "hazards"),
    ),
    _rate(6, "hazards.rectification_rate", "hazards", _("Rectification rate")),
    _rate(7, "hazards.key_vehicle_clearance_rate", "hazards", _("Key vehicles cleared")),
    *[
        Figure(
            8,
            f"hazards.facility_works.{kind}",
            "hazards",
            label,
            M(f"hazards.facility_works.{kind}"),
            unit_label=unit_label,
        )
        for kind, label, unit_label in _FACILITY
    ],
    # --- rows 9-11: accidents and the relief fund ---
    _rate(9, "incidents.hit_and_run_solve_rate", "incidents", _("Hit-and-run solve rate")),
    Figure(
        10,
        "incidents.quick_settlements",
        "incidents",
        _("Minor accidents settled quickly"),
        M("incidents.quick_settlement_share", "n"),
        unit_label=pgettext_lazy("counted", "accidents"),
    ),
    _rate(
        10,
        "incidents.quick_settlement_share",
        "incidents",
        _("Quick settlement share of property-only accidents"),
    ),
    Figure(
        11,
        "incidents.fund_advanced_cny",
        "incidents",
        _("Relief fund advanced"),
        M("incidents.fund_advanced_cny"),
        unit_label=pgettext_lazy("counted", "CNY"),
        money=True,
    ),
    Figure(
        11,
        "incidents.fund_recovered_cny",
        "incidents",
        _("Relief fund recovered"),
        M("incidents.fund_recovered_cny"),
        unit_label=pgettext_lazy("counted", "CNY"),
        money=True,
    ),
    _rate(11, "incidents.fund_recovery_rate", "incidents", _("Relief fund recovery rate")),
    # --- rows 12-15: the public's voice ---
    Figure(
        12,
        "petitions.received",
        "service",
        _("12345 hotline tickets handled"),
        M("petitions.received"),
        unit_label=pgettext_lazy("counted", "tickets"),
    ),
    Figure(
        13,
        "petitions.consultations",
        "service",
        _("Questions answered by phone or in person"),
        M("petitions.consultations"),
        unit_label=pgettext_lazy("counted", "questions"),
    ),
    _rate(14, "petitions.closure_rate", "service", _("Closure rate")),
    _rate(14, "petitions.feedback_rate", "service", _("Feedback rate")),
    _rate(14, "petitions.satisfaction_rate", "service", _("Satisfaction rate")),
    Figure(
        15,
        "petitions.proposals_answered",
        "service",
        _("Legislators' proposals answered"),
        M("petitions.proposals_answered"),
        unit_label=pgettext_lazy("counted", "proposals"),
    ),
    Figure(
        15,
        "petitions.proposals_answered_in_person",
        "service",
        _("Proposals answered in person"),
        M("petitions.proposals_answered_by.in_person"),
        unit_label=pgettext_lazy("counted", "proposals"),
    ),
    # --- rows 16-18: commendations, assistance, love stations ---
    Figure(
        16,
        "outreach.banners",
        "service",
        _("Commendation banners received"),
        C("outreach.commendations.banner"),
        unit_label=pgettext_lazy("counted", "banners"),
    ),
    Figure(
        17,
        "outreach.assistance",
        "service",
        _("Assistance to the public"),
        M("outreach.assistance"),
        unit_label=pgettext_lazy("counted", "times"),
    ),
    *[
        Figure(
            17,
            f"outreach.assistance.{kind}",
            "service",
            label,
            M(f"outreach.assistance_by_kind.{kind}"),
            unit_label=pgettext_lazy("counted", "times"),
            part_of="outreach.assistance",
        )
        for kind, label in _ASSISTANCE
    ],
    Figure(
        18,
        "outreach.love_stations",
        "service",
        _("Love stations in service at the end of the period"),
        M("outreach.love_stations"),
        unit_label=pgettext_lazy("counted", "stations"),
    ),
    # --- rows 19-20: publicity ---
    *[
        Figure(
            19,
            f"outreach.events.{kind}",
            "publicity",
            label,
            M(f"outreach.events_by_venue.{kind}"),
            unit_label=pgettext_lazy("counted", "events"),
            part_of=part_of,
        )
        for kind, label, part_of in _VENUES
    ],
    Figure(
        19,
        "outreach.events",
        "publicity",
        _("Publicity events in all"),
        M("outreach.events"),
        unit_label=pgettext_lazy("counted", "events"),
    ),
    Figure(
        20,
        "outreach.consultations",
        "publicity",
        _("Consultations at publicity events"),
        M("outreach.consultations"),
        unit_label=pgettext_lazy("counted", "person-times"),
    ),
    Figure(
        20,
        "outreach.people_educated",
        "publicity",
        _("People educated at publicity events"),
        M("outreach.people_educated"),
        unit_label=pgettext_lazy("counted", "people"),
    ),
    # --- rows 21-23: duty on the roads ---
    Figure(
        21,
        "brigade.patrols",
        "traffic",
        _("Patrols and post duties"),
        M("brigade.patrols"),
        unit_label=pgettext_lazy("counted", "patrols"),
    ),
    Figure(
        21,
        "brigade.patrol_hours",
        "traffic",
        _("Hours on patrol and post duty"),
        M("brigade.patrol_hours"),
        unit_label=pgettext_lazy("counted", "hours"),
    ),
    Figure(
        22,
        "brigade.road_works",
        "traffic",
        _("Roads under works given extra police"),
        C("brigade.road_works.roads"),
        unit_label=pgettext_lazy("counted", "roads"),
    ),
    Figure(
        23,
        "brigade.violations_corrected",
        "traffic",
        _("Violations corrected"),
        M("brigade.violations_corrected"),
        unit_label=pgettext_lazy("counted", "violations"),
    ),
    *_violations(),
]

# FIGURES.md rows that state a figure: each must be in the report (rows 10, 21 and 23
# state none, and the report has figures for them all the same).
ROWS_WITH_A_FIGURE = frozenset(range(1, 24)) - {10, 21, 23}


def by_key() -> dict[str, Figure]:
    return {figure.key: figure for figure in FIGURES}
