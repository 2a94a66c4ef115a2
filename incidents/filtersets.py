"""One FilterSet per model, shared by the API and the HTML lists."""

from __future__ import annotations

import re

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brigade.core.filters import FilterSet, date_range
from brigade.duty.filtersets import SubsetFilter
from brigade.duty.models import Unit
from incidents.choices import SERIOUS, AdvanceStatus
from incidents.models import Accident, FundAdvance, Recovery

# an h3 cell id: 15 hexadecimal digits
CELL_ID = re.compile(r"[0-9a-f]{15}")
MAX_CELLS = 100


def _cells(value: str) -> list[str]:
    return [cell.strip().lower() for cell in value.split(",") if cell.strip()]


def validate_cells(value: str) -> None:
    """Up to ``MAX_CELLS`` h3 cell ids, separated by commas."""
    cells = _cells(value)
    if len(cells) > MAX_CELLS or not all(CELL_ID.fullmatch(cell) for cell in cells):
        raise ValidationError(
            _("Give up to %(n)s map cell ids, separated by commas.") % {"n": MAX_CELLS}
        )


class AccidentFilterSet(FilterSet):
    date_from, date_to = date_range("occurred_at", of_time=True)
    q = filters.CharFilter(method="search", label=_("Road, place or plate"))
    open_case = filters.BooleanFilter(method="filter_open", label=_("Open hit-and-run case"))
    # the accidents a black spot counts (its records_api): injury-or-fatal, in its cells
    serious = filters.BooleanFilter(method="filter_serious", label=_("With injuries or deaths"))
    h3_cells = filters.CharFilter(
        method="filter_cells", label=_("Map cells"), validators=[validate_cells]
    )
    spot_place = filters.NumberFilter(field_name="gazetteer_place_id", label=_("Gazetteer place"))

    class Meta:
        model = Accident
        fields = ["unit", "severity", "handling_mode", "hit_and_run", "mediation"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(road__icontains=value)
            | Q(place__icontains=value)
            | Q(parties__plate__icontains=value)
        ).distinct()

    def filter_serious(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.serious() if value else queryset.exclude(severity__in=SERIOUS)

    def filter_cells(self, queryset, name, value):
        return queryset.filter(h3_cell__in=_cells(value))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.open_case(value)


class FundAdvanceFilterSet(FilterSet):
    unit = filters.ModelChoiceFilter(
        field_name="accident__unit", queryset=Unit.objects.all(), label=_("Unit")
    )
    accident = filters.NumberFilter(field_name="accident_id", label=_("Accident"))
    paid_from, paid_to = date_range(
        "paid_at", of_time=True, labels=(_("Paid from"), _("Paid until"))
    )
    status = filters.ChoiceFilter(choices=AdvanceStatus.choices, label=_("Status"))
    outstanding = SubsetFilter("with_balance", label=_("Money outstanding"))

    class Meta:
        model = FundAdvance
        fields = ["status", "purpose"]


class RecoveryFilterSet(FilterSet):
    date_from, date_to = date_range("received_on")

    class Meta:
        model = Recovery
        fields: list[str] = []

    advance = filters.NumberFilter(field_name="advance_id", label=_("Advance"))
