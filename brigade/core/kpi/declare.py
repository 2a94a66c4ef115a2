"""What an app's metric declarations share: a flow of a model's records, a count, a rate,
and a count split by a field's choices.

    FOUND = flow(Hazard, "found_at", ~Q(status__in=DISCARDED_STATUSES))
    count("hazards.found", _("Hazards found"), FOUND, _("hazards"), "Hazards found ...")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from django.db.models import Choices, Model, Q
from django.utils.functional import Promise

from brigade.core.kpi.registry import Flow, Metric, rows_sql

Label = Promise | str


def choice_parts(choices: type[Choices]) -> tuple[tuple[str, Label], ...]:
    """The parts of a metric split by a field with these choices: each value, labelled."""
    return tuple((choice.value, choice.label) for choice in choices)


def flow(model: type[Model], when: str, *conditions: Q, **options: Any) -> Flow:
    """A flow of the records of ``model`` that meet ``conditions`` (every record: none),
    dated by ``when``; ``options`` are the flow's others (``cohort``, ``unit``, ``amount``)."""
    return Flow(source=lambda: model._default_manager.filter(*conditions), when=when, **options)


def sql_flow(
    rows: Callable[..., tuple[str, list[Any]]],
    rows_of: str,
    touch: Callable[[Any], Iterable[tuple[Any, int]]],
    *watch: str,
    sums: bool = False,
) -> Flow:
    """A flow counted in SQL from its ``rows`` (see ``Flow.rows``), records of ``rows_of``
    ("app.Model"), moved by changes to the models ``watch`` names (default: ``rows_of``)."""
    return Flow(
        sql=rows_sql(rows),
        rows=rows,
        rows_of=rows_of,
        watch=watch or (rows_of,),
        touch=touch,
        sums=sums,
    )


def count(
    key: str, label: Label, numerator: Flow, unit_label: Label, description: str, **options: Any
) -> Metric:
    """A metric that counts (or sums) the events of one flow, ``unit_label`` what it counts."""
    return Metric(key, label, numerator, unit_label=unit_label, description=description, **options)


def rate(
    key: str, label: Label, numerator: Flow, denominator: Flow, description: str, **options: Any
) -> Metric:
    """A metric that divides the events of one flow by those of another."""
    return Metric(key, label, numerator, denominator, description=description, **options)


def split_by(
    base: Metric,
    field: str,
    choices: type[Choices],
    key: str,
    label: Label,
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
