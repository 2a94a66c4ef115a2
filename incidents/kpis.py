"""The incidents app's metrics: accidents (by severity, by handling), the share of
property-only accidents settled quickly (快处快赔), the hit-and-run solve rate (credited to
the accident's year), and the relief fund: advanced, recovered, and their ratio."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import Flow, Metric, register
from brigade.core.kpi.declare import choice_parts
from brigade.core.kpi.records import describe_urls
from brigade.core.report.columns import columns
from brigade.core.report.compute import flow_in_period
from brigade.core.report.figures import Facts, Figure, M, Records, rate, register_report
from incidents.choices import AdvanceStatus, HandlingMode, Severity
from incidents.models import Accident, FundAdvance, Recovery


def _accidents() -> Any:
    return Accident.objects.all()


def _property_only() -> Any:
    return Accident.objects.filter(severity=Severity.PROPERTY)


def _hit_and_run() -> Any:
    return Accident.objects.filter(hit_and_run=True)


def _paid() -> Any:
    return FundAdvance.objects.filter(status=AdvanceStatus.PAID, paid_at__isnull=False)


def _recoveries() -> Any:
    return Recovery.objects.all()


HIT_AND_RUN = Flow(source=_hit_and_run, when="occurred_at")
ADVANCED = Flow(source=_paid, when="paid_at", unit="accident__unit_id", amount=F("amount"))
RECOVERED = Flow(
    source=_recoveries,
    when="received_on",
    unit="advance__accident__unit_id",
    amount=F("amount"),
)


def describe_records() -> None:
    """How the records behind the incidents' figures are linked in their lists."""
    describe_urls(Accident, "incidents:accident_detail", "incidents-api:accident-detail")
    describe_urls(FundAdvance, "incidents:fundadvance_detail", "incidents-api:fund-advance-detail")
    describe_urls(
        Recovery, ("incidents:fundadvance_detail", "advance_id"), "incidents-api:recovery-detail"
    )


def register_metrics() -> None:
    describe_records()
    register_report_figures()
    register(
        Metric(
            key="incidents.accidents",
            label=_("Accidents"),
            description="Accidents that occurred in the year to date.",
            numerator=Flow(source=_accidents, when="occurred_at"),
            unit_label=_("accidents"),
            tile=False,
        ),
        Metric(
            key="incidents.accidents_by_severity",
            label=_("Accidents by severity"),
            description="The same accidents, one figure per severity.",
            numerator=Flow(source=_accidents, when="occurred_at", split="severity"),
            parts=choice_parts(Severity),
            unit_label=_("accidents"),
            tile=False,
        ),
        Metric(
            key="incidents.accidents_by_handling",
            label=_("Accidents by handling"),
            description="The same accidents, one figure per handling mode.",
            numerator=Flow(source=_accidents, when="occurred_at", split="handling_mode"),
            parts=choice_parts(HandlingMode),
            unit_label=_("accidents"),
            tile=False,
        ),
        Metric(
            key="incidents.quick_settlement_share",
            label=_("Quick settlement share"),
            description="Property-only accidents settled quickly (快处快赔) / property-only "
            "accidents, by the day they occurred.",
            numerator=Flow(
                source=lambda: _property_only().filter(handling_mode=HandlingMode.QUICK),
                when="occurred_at",
            ),
            denominator=Flow(source=_property_only, when="occurred_at"),
        ),
        Metric(
            key="incidents.hit_and_run_solve_rate",
            label=_("Hit-and-run solve rate"),
            description="Hit-and-run cases solved by the week's end / hit-and-run accidents "
            "this year; a solution counts for the year the accident occurred in.",
            numerator=Flow(
                source=lambda: _hit_and_run().filter(solved_at__isnull=False),
                when="solved_at",
                cohort="occurred_at",
            ),
            denominator=HIT_AND_RUN,
        ),
        Metric(
            key="incidents.hit_and_run_cases",
            label=_("Hit-and-run cases"),
            description="Hit-and-run accidents that occurred in the year to date.",
            numerator=HIT_AND_RUN,
            unit_label=_("cases"),
            tile=False,
        ),
        Metric(
            key="incidents.fund_advanced_cny",
            label=_("Relief fund advanced"),
            description="Advances paid from the relief fund in the year to date, by payment.",
            numerator=ADVANCED,
            unit_label=_("CNY"),
        ),
        Metric(
            key="incidents.fund_recovered_cny",
            label=_("Relief fund recovered"),
            description="Recoveries received in the year to date.",
            numerator=RECOVERED,
            unit_label=_("CNY"),
            tile=False,
        ),
        Metric(
            key="incidents.fund_recovery_rate",
            label=_("Relief fund recovery rate"),
            description="Recovered / advanced in the year to date.",
            numerator=RECOVERED,
            denominator=ADVANCED,
            tile=False,
        ),
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
    Records(
        "incidents",
        _("Hit-and-run cases"),
        flow_in_period(HIT_AND_RUN),
        columns(Accident, "occurred_at unit.name road severity solved_at", severity=_("Severity")),
    ),
    Records(
        "incidents",
        _("Relief fund advances paid"),
        flow_in_period(ADVANCED, related=("accident__unit",)),
        columns(FundAdvance, "paid_at accident.unit.name beneficiary purpose amount"),
    ),
]


def register_report_figures() -> None:
    """The incidents' figures of the period report, their lists and their paragraph."""
    cny = pgettext_lazy("counted", "CNY")
    register_report(
        rate(9, "incidents.hit_and_run_solve_rate", "incidents", _("Hit-and-run solve rate")),
        Figure(
            10,
            "incidents.quick_settlements",
            "incidents",
            _("Minor accidents settled quickly"),
            M("incidents.quick_settlement_share", "n"),
            unit_label=pgettext_lazy("counted", "accidents"),
        ),
        rate(
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
            unit_label=cny,
            money=True,
        ),
        Figure(
            11,
            "incidents.fund_recovered_cny",
            "incidents",
            _("Relief fund recovered"),
            M("incidents.fund_recovered_cny"),
            unit_label=cny,
            money=True,
        ),
        rate(11, "incidents.fund_recovery_rate", "incidents", _("Relief fund recovery rate")),
        records=_RECORDS,
        paragraphs={"incidents": _paragraph},
    )
