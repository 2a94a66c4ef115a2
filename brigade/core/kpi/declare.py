"""What an app's metric declarations share: a flow of a model's records, a count, a rate,
and a count split by a field's choices.

    FOUND = flow(Hazard, "found_at", ~Q(status__in=DISCARDED_STATUSES))
    count("hazards.found", _("Hazards found"), FOUND, _("hazards"), "Hazards found ...")
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Choices, Model, Q
from django.utils.functional import Promise

from brigade.core.kpi.registry import Flow, Metric


def choice_parts(choices: type[Choices]) -> tuple[tuple[str, Promise | str], ...]:
    """The parts of a metric split by a field with these choices: each value, labelled."""
    return tuple((choice.value, choice.label) for choice in choices)


def flow(model: type[Model], when: str, *conditions: Q, **options: Any) -> Flow:
    """A flow of the records of ``model`` that meet ``conditions`` (every record: none),
    dated by ``when``; ``options`` are the flow's others (``cohort``, ``unit``, ``amount``)."""
    return Flow(source=lambda: model._default_manager.filter(*conditions), when=when, **options)


def count(
    key: str,
    label: Promise | str,
    numerator: Flow,
    unit_label: Promise | str,
    description: str,
    **options: Any,
) -> Metric:
    """A metric that counts (or sums) the events of one flow, ``unit_label`` what it counts."""
    return Metric(
        key=key,
        label=label,
        numerator=numerator,
        unit_label=unit_label,
        description=description,
        **options,
    )


def rate(
    key: str,
    label: Promise | str,
    numerator: Flow,
    denominator: Flow,
    description: str,
    **options: Any,
) -> Metric:
    """A metric that divides the events of one flow by those of another."""
    return Metric(
        key=key,
        label=label,
        numerator=numerator,
        denominator=denominator,
        description=description,
        **options,
    )


def split_by(
    base: Metric,
    field: str,
    choices: type[Choices],
    key: str,
    label: Promise | str,
    description: str,
) -> Metric:
    """``base`` counted once per choice of ``field`` (its parts: charted, not tiled)."""
    return replace(
        base,
        key=key,
        label=label,
        description=description,
        numerator=replace(base.numerator, split=field),
        parts=choice_parts(choices),
        tile=False,
    )
