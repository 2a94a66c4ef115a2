"""Filters the lists share: a period of dates on one date or time field; a campaign's
"running on" day."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def date_range(
    field: str,
    *,
    of_time: bool = False,
    labels: tuple[str | Promise, str | Promise] = (_("From"), _("To")),
) -> tuple[filters.DateFilter, filters.DateFilter]:
    """The ``date_from``/``date_to`` pair on ``field`` (both days included); ``of_time``
    when ``field`` is a time (the day of it is compared)."""
    prefix = "date__" if of_time else ""
    first, last = labels
    return (
        filters.DateFilter(field_name=field, lookup_expr=f"{prefix}gte", label=first),
        filters.DateFilter(field_name=field, lookup_expr=f"{prefix}lte", label=last),
    )


def _running_on(queryset: Any, name: str, value: Any) -> Any:
    return queryset.current(value)


def running_on() -> filters.DateFilter:
    """``active_on``: the records running on a day (their queryset's ``current(day)``)."""
    return filters.DateFilter(method=_running_on, label=_("Running on"))
