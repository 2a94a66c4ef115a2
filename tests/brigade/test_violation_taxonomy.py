"""The violation taxonomy against the report (FIGURES.md row 23): 超员 is carrying more
passengers than permitted, not 超载 (overloading, another offence), and is stored under a
code that says so; the other labels read as the report names the offences."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from brigade.core.kpi.models import KpiPublished, KpiRollup
from brigade.core.report.figures import by_key
from brigade.duty.choices import CRACKDOWN_KINDS, ViolationKind
from brigade.duty.models import Campaign, ViolationTally
from tests.brigade.factories import CampaignFactory, PatrolLogFactory, ViolationTallyFactory

# code -> the report's words (聊城 report, 2022)
REPORT_TERMS = {
    "low_speed_ev": "低速电动车",
    "unlicensed": "无牌无证驾驶",
    "scrapped_vehicle": "老旧报废车辆",
    "illegal_passengers": "非客运车辆载客",
    "excess_passengers": "超员",
    "speeding": "超速",
    "drunk_driving": "酒后驾车",
}
migration = importlib.import_module("brigade.migrations.0013_violation_excess_passengers")


def test_excess_passengers_is_a_crackdown_kind_and_overloading_is_gone():
    assert ViolationKind.EXCESS_PASSENGERS.value == "excess_passengers"
    assert ViolationKind.EXCESS_PASSENGERS in CRACKDOWN_KINDS
    assert "overloading" not in ViolationKind.values
    with translation.override("en"):
        labels = {str(label) for label in ViolationKind.labels}
        assert "Carrying excess passengers" in labels
        assert not any("overload" in label.lower() for label in labels)
    # the report's figures: one per kind, under the new code
    figures = by_key()
    assert "brigade.violations.excess_passengers" in figures
    assert "brigade.violations.overloading" not in figures


def test_the_chinese_labels_are_the_reports_words():
    with translation.override("zh-hans"):
        shown = {kind.value: str(kind.label) for kind in ViolationKind}
    assert {code: shown[code] for code in REPORT_TERMS} == REPORT_TERMS
    assert "超载" not in shown.values()


@pytest.mark.django_db
def test_stored_overloading_moves_to_excess_passengers(unit):
    """What the migration does to rows written under the old code: tallies, their history,
    the campaigns aimed at it, and the KPI figures (live and published)."""
    import datetime as dt

    patrol = PatrolLogFactory()
    tally = ViolationTallyFactory(patrol=patrol, kind="speeding", count=3)
    ViolationTally.objects.filter(pk=tally.pk).update(kind="overloading")
    campaign = CampaignFactory(focus="illegal_passengers,overloading ,speeding")
    history = apps.get_model("brigade", "HistoricalViolationTally")
    history.objects.filter(id=tally.pk).update(kind="overloading")
    week = dt.date(2022, 5, 2)
    for model in (KpiRollup, KpiPublished):
        stamp = {"computed_at" if model is KpiRollup else "published_at": dt.datetime.now(dt.UTC)}
        model.objects.create(
            metric="brigade.violations.overloading",
            week=week,
            scope="brigade",
            numerator=3,
            value=3,
            **stamp,
        )

    migration.forwards(apps, None)

    assert ViolationTally.objects.get(pk=tally.pk).kind == "excess_passengers"
    assert set(history.objects.filter(id=tally.pk).values_list("kind", flat=True)) == {
        "excess_passengers"
    }
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.focus_kinds() == ["illegal_passengers", "excess_passengers", "speeding"]
    for model in (KpiRollup, KpiPublished):
        assert list(model.objects.values_list("metric", flat=True)) == [
            "brigade.violations.excess_passengers"
        ]
    # and back
    migration.backwards(apps, None)
    assert ViolationTally.objects.get(pk=tally.pk).kind == "overloading"
    assert "overloading" in Campaign.objects.get(pk=campaign.pk).focus.split(",")
