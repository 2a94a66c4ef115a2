"""Filters the lists share: the FilterSet every list's filter stands on (its form refuses a
period that ends before it starts, and each select offers one empty choice, "All"); a
period of dates on one date or time field; a campaign's "running on" day; a sort by column
whose labels are whole in each language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import F, Model
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import filterset_factory
from django_filters.widgets import BooleanWidget


class RangeEnd(filters.DateFilter):
    """The last day of a period: it knows its first day's filter (``start``), so that the
    form can refuse an end before the start."""

    def __init__(self, *args: Any, start: filters.DateFilter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start = start


def date_range(
    field: str,
    *,
    of_time: bool = False,
    labels: tuple[str | Promise, str | Promise] = (_("From"), _("To")),
) -> tuple[filters.DateFilter, filters.DateFilter]:
    """The ``date_from``/``date_to`` pair on ``field`` (both days included); ``of_time``
    when ``field`` is a time (the day of it is compared). A FilterSet (``FilterSet``
    below) refuses the pair when the second day precedes the first."""
    prefix = "date__" if of_time else ""
    first, last = labels
    start = filters.DateFilter(field_name=field, lookup_expr=f"{prefix}gte", label=first)
    end = RangeEnd(field_name=field, lookup_expr=f"{prefix}lte", label=last, start=start)
    return start, end


def _running_on(queryset: Any, name: str, value: Any) -> Any:
    return queryset.current(value)


def running_on() -> filters.DateFilter:
    """``active_on``: the records running on a day (their queryset's ``current(day)``)."""
    return filters.DateFilter(method=_running_on, label=_("Running on"))


# --- sorting -------------------------------------------------------------------------------


def _direction(label: Any, descending: bool) -> str:
    template = (
        gettext("%(column)s (descending)") if descending else gettext("%(column)s (ascending)")
    )
    return template % {"column": label}


# Translated when shown, not when the filter is made: django-filter's own
# "%s (descending)" is formatted once at import, in whatever language was active then.
directed_label = lazy(_direction, str)


class SortFilter(filters.OrderingFilter):
    """Column sorting with empty values last either way (SQLite and PostgreSQL disagree
    on where NULLs go), and the newest record first among equals. ``columns`` maps each
    field a list can be sorted by (its parameter too) to its label; each direction's label
    is translated whole ("发现时间（降序）", "Found (descending)")."""

    def __init__(self, columns: Mapping[str, str | Promise]) -> None:
        super().__init__(fields=list(columns), field_labels=dict(columns), label=_("Sort by"))

    def build_choices(self, fields: Any, labels: Any) -> list[tuple[str, Any]]:
        choices = []
        for field, param in fields.items():
            label = labels.get(field, param)
            choices.append((param, directed_label(label, False)))
            choices.append((f"-{param}", directed_label(label, True)))
        return choices

    def filter(self, qs: Any, value: Any) -> Any:
        if not value:
            return qs
        columns = [self.get_ordering_value(param) for param in value if param]
        order = [
            F(c[1:]).desc(nulls_last=True) if c.startswith("-") else F(c).asc(nulls_last=True)
            for c in columns
        ]
        return qs.order_by(*order, "-pk")


# --- the FilterSet every list uses -------------------------------------------------------------


class AllYesNoWidget(BooleanWidget):
    """A yes/no filter's select: All (no filter), Yes, No."""

    def __init__(self, attrs: Any = None) -> None:
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


def label_empty_choice(field: forms.Field, *, sorting: bool = False) -> None:
    """One empty choice per select, labelled "All" ("Default order" for a sort); a yes/no
    filter offers All/Yes/No, not Unknown/Yes/No."""
    if isinstance(field, forms.NullBooleanField):
        field.widget = AllYesNoWidget(attrs=field.widget.attrs)
    elif isinstance(field, forms.ChoiceField) and hasattr(field, "empty_label"):
        # django-filter's choice fields list ``empty_label`` first, whatever their choices
        field.empty_label = _("Default order") if sorting else _("All")
        if not isinstance(field, forms.ModelChoiceField):
            # Set again, without a blank choice of the model's own: the widget's copy of the
            # choices still reads the label of the field the form was copied from.
            own = list(field.choices)[1:]  # type: ignore[arg-type]
            field.choices = [choice for choice in own if choice[0] != ""]


class FilterForm(forms.Form):
    """The form of every list's filters: the date pairs (``date_ranges``: each period's
    first and last day's names) are refused when the period ends before it starts, on the
    last day's field; the pages show the message there, the API answers 400 with it. Its
    selects are labelled by ``label_empty_choice`` (``sorts``: the sort selects)."""

    date_ranges: tuple[tuple[str, str], ...] = ()
    sorts: frozenset[str] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label_empty_choice(field, sorting=name in self.sorts)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in self.date_ranges:
            first, last = data.get(start), data.get(end)
            if first is not None and last is not None and last < first:
                self.add_error(end, _("The end date cannot be before the start date."))
        return data


class FilterSet(filters.FilterSet):
    """The base of every list's FilterSet (the API's and the pages'): its form is a
    ``FilterForm`` that knows the FilterSet's date pairs (``date_range``) and sorts."""

    def date_ranges(self) -> tuple[tuple[str, str], ...]:
        """The (first day, last day) filter names of each period this FilterSet has."""
        names = {id(filter_): name for name, filter_ in self.filters.items()}
        return tuple(
            (names[id(filter_.start)], name)
            for name, filter_ in self.filters.items()
            if isinstance(filter_, RangeEnd) and id(filter_.start) in names
        )

    def get_form_class(self) -> type[forms.Form]:
        form = super().get_form_class()
        sorts = frozenset(
            name
            for name, filter_ in self.filters.items()
            if isinstance(filter_, filters.OrderingFilter)
        )
        return type(
            form.__name__,
            (FilterForm, form),
            {"date_ranges": self.date_ranges(), "sorts": sorts},
        )


def model_filterset(model: type[Model], fields: list[str]) -> type[FilterSet]:
    """A FilterSet on ``model``'s ``fields`` as they are, on the base every list uses."""
    return filterset_factory(model, filterset=FilterSet, fields=fields)
