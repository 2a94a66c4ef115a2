"""The metric registry: every metric the dashboard can show is named, labelled in both
languages and described, and a key can be registered only once."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from brigade.core.kpi import Flow, Metric
from brigade.core.kpi.registry import Registry, registry
from brigade.duty.models import PatrolLog

METRICS = registry.all()


def _in(language: str, label: object) -> str:
    with translation.override(language):
        return str(label)


def test_the_brigade_metrics_are_registered():
    keys = {metric.key for metric in METRICS}

    assert {
        "brigade.patrols",
        "brigade.patrol_hours",
        "brigade.violations_corrected",
        "brigade.violations",
        "brigade.post_coverage_rate",
        "brigade.training_attendance_rate",
        "brigade.training_pass_rate",
    } <= keys


@pytest.mark.parametrize("metric", METRICS, ids=[m.key for m in METRICS])
def test_a_metric_is_keyed_by_its_app_and_described(metric):
    app, _, name = metric.key.partition(".")

    assert apps.is_installed(apps.get_app_config(app).name)
    assert name and "." not in name
    assert metric.app == app
    assert metric.description.strip()


@pytest.mark.parametrize("metric", METRICS, ids=[m.key for m in METRICS])
def test_a_metric_label_reads_in_english_and_chinese(metric):
    english, chinese = _in("en", metric.label), _in("zh-hans", metric.label)

    assert english.strip()
    assert chinese.strip()
    assert chinese != english, f"{metric.key}: {english!r} is not translated into Chinese"


SPLIT = [m for m in METRICS if m.numerator.split]


@pytest.mark.parametrize("metric", SPLIT, ids=[m.key for m in SPLIT])
def test_a_split_metric_lists_its_parts_in_both_languages(metric):
    assert metric.parts, f"{metric.key} is split but lists no parts"
    assert metric.keys() == [f"{metric.key}.{part}" for part, _label in metric.parts]
    for part, label in metric.parts:
        english, chinese = _in("en", label), _in("zh-hans", label)
        assert english.strip() and chinese.strip()
        assert chinese != english, f"{metric.key}.{part}: {english!r} is not translated"


def test_violation_parts_are_every_violation_kind():
    from brigade.duty.choices import ViolationKind

    parts = dict(registry.get("brigade.violations").parts)

    assert set(parts) == set(ViolationKind.values)
    assert registry.owner("brigade.violations.no_helmet").key == "brigade.violations"
    assert registry.labels()["brigade.violations.no_helmet"] == ViolationKind.NO_HELMET.label


def test_rates_have_a_denominator_and_sums_do_not():
    assert registry.get("brigade.training_pass_rate").is_rate
    assert registry.get("brigade.post_coverage_rate").is_rate
    assert not registry.get("brigade.patrol_hours").is_rate
    assert not registry.get("brigade.patrols").is_rate


def test_registering_a_key_twice_is_refused():
    # a registry of its own: the project's one must keep exactly its metrics
    fresh = Registry()
    flow = Flow(source=lambda: PatrolLog.objects.all(), when="started_at")
    fresh.register(Metric(key="brigade.test_twice", label="Twice", numerator=flow))

    with pytest.raises(ValueError, match=r"brigade\.test_twice"):
        fresh.register(Metric(key="brigade.test_twice", label="Again", numerator=flow))

    assert [m.label for m in fresh.all()] == ["Twice"]


def test_registering_a_project_metric_again_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(registry.get("brigade.patrols"))


def test_a_flow_needs_a_source_or_sql_and_an_event_time():
    with pytest.raises(ValueError):
        Flow()
    with pytest.raises(ValueError):
        Flow(source=lambda: PatrolLog.objects.all())
