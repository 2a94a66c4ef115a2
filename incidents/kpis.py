"""The incidents app's metrics: accidents (by severity, by handling), the share of
property-only accidents settled quickly (快处快赔), the hit-and-run solve rate (credited to
the accident's year), and the relief fund: advanced, recovered, and their ratio."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import declare, register
from brigade.core.kpi.records import describe_urls
from brigade.core.kpi.registry import Metric
from brigade.core.report import figures
from brigade.core.report.compute import flow_in_period, records
from brigade.core.report.figures import Area, Facts, M, register_report, register_report_area
from incidents.choices import AdvanceStatus, HandlingMode, Severity
from incidents.models import Accident, BlackSpot, FundAdvance, Recovery

ACCIDENTS = declare.flow(Accident, "occurred_at")
PROPERTY_ONLY = Q(severity=Severity.PROPERTY)
HIT_AND_RUN_CASE = Q(hit_and_run=True)
HIT_AND_RUN = declare.flow(Accident, "occurred_at", HIT_AND_RUN_CASE)
PAID = Q(status=AdvanceStatus.PAID, paid_at__isnull=False)
ADVANCED = declare.flow(FundAdvance, "paid_at", PAID, unit="accident__unit_id", amount=F("amount"))
RECOVERED = declare.flow(
    Recovery, "received_on", unit="advance__accident__unit_id", amount=F("amount")
)


# --- black spots: found, investigated, treated, and the accidents there before and after ----

SPOTS_FOUND = declare.flow(BlackSpot, "created_at")
SPOTS_INVESTIGATED = declare.flow(BlackSpot, "hazard_opened_at", Q(hazard_opened_at__isnull=False))
# treated: the hazard opened from the spot is verified (and measured by the nightly run)
TREATED = Q(hazard__verified_at__isnull=False, accidents_before__isnull=False)
SPOTS_TREATED = declare.flow(BlackSpot, "hazard__verified_at", TREATED)
ACCIDENTS_AFTER = declare.flow(
    BlackSpot, "hazard__verified_at", TREATED, amount=F("accidents_after")
)
ACCIDENTS_BEFORE = declare.flow(
    BlackSpot, "hazard__verified_at", TREATED, amount=F("accidents_before")
)


def black_spot_metrics() -> list[Metric]:
    """The black spots' metrics (incidents/black_spots.py): not tiles, on the report."""
    return [
        declare.count(
            "incidents.black_spots_found",
            _("Black spots identified"),
            SPOTS_FOUND,
            _("black spots"),
            "Black spots first identified in the year to date, whether still one or not.",
            tile=False,
        ),
        declare.count(
            "incidents.black_spots_investigated",
            _("Black spots with a hazard opened"),
            SPOTS_INVESTIGATED,
            _("black spots"),
            "Black spots a hazard investigation was opened from, by the day it was opened.",
            tile=False,
        ),
        declare.count(
            "incidents.black_spots_treated",
            _("Black spots treated"),
            SPOTS_TREATED,
            _("black spots"),
            "Black spots whose hazard was rectified and verified, by the verification day.",
            tile=False,
        ),
        declare.rate(
            "incidents.black_spot_accidents_after",
            _("Accidents at treated black spots, after / before"),
            ACCIDENTS_AFTER,
            ACCIDENTS_BEFORE,
            "Accidents with injuries or deaths at the treated black spots in the window after "
            "the verification / in the equal window before it (below 1: fewer).",
            tile=False,
        ),
    ]


def describe_records() -> None:
    """How the records behind the incidents' figures are linked in their lists."""
    describe_urls(Accident, "incidents:accident_detail", "incidents-api:accident-detail")
    describe_urls(FundAdvance, "incidents:fundadvance_detail", "incidents-api:fund-advance-detail")
    describe_urls(
        Recovery, ("incidents:fundadvance_detail", "advance_id"), "incidents-api:recovery-detail"
    )
    describe_urls(BlackSpot, None, "incidents-api:black-spot-detail")


def register_metrics() -> None:
    describe_records()
    register_report_figures()
    accidents = declare.count(
        "incidents.accidents",
        _("Accidents"),
        ACCIDENTS,
        _("accidents"),
        "Accidents that occurred in the year to date.",
        tile=False,
    )
    register(
        accidents,
        declare.split_by(
            accidents,
            "severity",
            Severity,
            "incidents.accidents_by_severity",
            _("Accidents by severity"),
            "The same accidents, one figure per severity.",
        ),
        declare.split_by(
            accidents,
            "handling_mode",
            HandlingMode,
            "incidents.accidents_by_handling",
            _("Accidents by handling"),
            "The same accidents, one figure per handling mode.",
        ),
        declare.rate(
            "incidents.quick_settlement_share",
            _("Quick settlement share"),
            declare.flow(
                Accident, "occurred_at", PROPERTY_ONLY, Q(handling_mode=HandlingMode.QUICK)
            ),
            declare.flow(Accident, "occurred_at", PROPERTY_ONLY),
            "Property-only accidents settled quickly (快处快赔) / property-only accidents, by "
            "the day they occurred.",
        ),
        declare.rate(
            "incidents.hit_and_run_solve_rate",
            _("Hit-and-run solve rate"),
            declare.flow(
                Accident,
                "solved_at",
                HIT_AND_RUN_CASE,
                Q(solved_at__isnull=False),
                cohort="occurred_at",
            ),
            HIT_AND_RUN,
            "Hit-and-run cases solved by the week's end / hit-and-run accidents this year; a "
            "solution counts for the year the accident occurred in.",
        ),
        declare.count(
            "incidents.hit_and_run_cases",
            _("Hit-and-run cases"),
            HIT_AND_RUN,
            _("cases"),
            "Hit-and-run accidents that occurred in the year to date.",
            tile=False,
        ),
        declare.count(
            "incidents.fund_advanced_cny",
            _("Relief fund advanced"),
            ADVANCED,
            _("CNY"),
            "Advances paid from the relief fund in the year to date, by payment.",
        ),
        declare.count(
            "incidents.fund_recovered_cny",
            _("Relief fund recovered"),
            RECOVERED,
            _("CNY"),
            "Recoveries received in the year to date.",
            tile=False,
        ),
        declare.rate(
            "incidents.fund_recovery_rate",
            _("Relief fund recovery rate"),
            RECOVERED,
            ADVANCED,
            "Recovered / advanced in the year to date.",
            tile=False,
        ),
        *black_spot_metrics(),
    )


# --- the period report: rows 9-11 ------------------------------------------------------------


def _paragraph(facts: Facts) -> str:
    return gettext(
        "Of %(cases)s hit-and-run cases, %(solved)s were solved: a solve rate of "
        "%(solve_rate)s. %(quick)s minor accidents were settled quickly (%(share)s of "
        "the property-only accidents). The road-accident social relief fund advanced "
        "%(advanced)s CNY and recovered %(recovered)s CNY."
    ) % {
        "cases": facts.denominator("incidents.hit_and_run_solve_rate"),
        "solved": facts.numerator("incidents.hit_and_run_solve_rate"),
        "solve_rate": facts.value("incidents.hit_and_run_solve_rate"),
        "quick": facts.value("incidents.quick_settlements"),
        "share": facts.value("incidents.quick_settlement_share"),
        "advanced": facts.value("incidents.fund_advanced_cny"),
        "recovered": facts.value("incidents.fund_recovered_cny"),
    }


_RECORDS = [
    records(
        "incidents",
        _("Hit-and-run cases"),
        Accident,
        "occurred_at unit.name road severity solved_at",
        rows=flow_in_period(HIT_AND_RUN),
        severity=_("Severity"),
    ),
    records(
        "incidents",
        _("Relief fund advances paid"),
        FundAdvance,
        "paid_at accident.unit.name beneficiary purpose amount",
        rows=flow_in_period(ADVANCED, related=("accident__unit",)),
    ),
]


# --- the period report: the black spots' section (no row of FIGURES.md) ---------------------

BLACK_SPOTS = "black_spots"


def _black_spots_paragraph(facts: Facts) -> str:
    return gettext(
        "%(found)s accident black spots were identified; a hazard investigation was opened "
        "at %(investigated)s of them and %(treated)s were treated. At the treated spots "
        "there were %(after)s accidents with injuries or deaths after the treatment, against "
        "%(before)s in the equal window before it."
    ) % {
        "found": facts.value("incidents.black_spots_found"),
        "investigated": facts.value("incidents.black_spots_investigated"),
        "treated": facts.value("incidents.black_spots_treated"),
        "after": facts.numerator("incidents.black_spot_accidents_after"),
        "before": facts.denominator("incidents.black_spot_accidents_after"),
    }


_BLACK_SPOT_RECORDS = [
    records(
        BLACK_SPOTS,
        _("Black spots identified"),
        BlackSpot,
        "created_at unit.name name accidents injuries fatalities hazard_opened_at "
        "accidents_before accidents_after",
        rows=flow_in_period(SPOTS_FOUND),
        created_at=_("Identified on"),
    ),
]


def register_black_spots_section() -> None:
    """The black spots' section of the period report, after its six areas: each figure is
    a black-spot metric, its link lists the spots it counts."""
    spots = pgettext_lazy("counted", "black spots")
    register_report_area(Area(BLACK_SPOTS, _("Black spots")))
    register_report(
        figures.count(
            None, "incidents.black_spots_found", BLACK_SPOTS, _("Black spots identified"), spots
        ),
        figures.count(
            None,
            "incidents.black_spots_investigated",
            BLACK_SPOTS,
            _("Black spots with a hazard opened"),
            spots,
        ),
        figures.count(
            None, "incidents.black_spots_treated", BLACK_SPOTS, _("Black spots treated"), spots
        ),
        figures.rate(
            None,
            "incidents.black_spot_accidents_after",
            BLACK_SPOTS,
            _("Accidents at treated black spots, after / before"),
        ),
        records=_BLACK_SPOT_RECORDS,
        paragraphs={BLACK_SPOTS: _black_spots_paragraph},
    )


def register_report_figures() -> None:
    """The incidents' figures of the period report, their lists and their paragraph."""
    register_black_spots_section()
    cny = pgettext_lazy("counted", "CNY")
    register_report(
        figures.rate(
            9, "incidents.hit_and_run_solve_rate", "incidents", _("Hit-and-run solve rate")
        ),
        figures.count(
            10,
            "incidents.quick_settlements",
            "incidents",
            _("Minor accidents settled quickly"),
            pgettext_lazy("counted", "accidents"),
            M("incidents.quick_settlement_share", "n"),
        ),
        figures.rate(
            10,
            "incidents.quick_settlement_share",
            "incidents",
            _("Quick settlement share of property-only accidents"),
        ),
        figures.count(
            11,
            "incidents.fund_advanced_cny",
            "incidents",
            _("Relief fund advanced"),
            cny,
            money=True,
        ),
        figures.count(
            11,
            "incidents.fund_recovered_cny",
            "incidents",
            _("Relief fund recovered"),
            cny,
            money=True,
        ),
        figures.rate(
            11, "incidents.fund_recovery_rate", "incidents", _("Relief fund recovery rate")
        ),
        records=_RECORDS,
        paragraphs={"incidents": _paragraph},
    )
