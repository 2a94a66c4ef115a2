"""Many rows' fields written at once (brigade/core/bulk.py): each row gets its own values,
of every kind of column, and no other row or field changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brigade.core.bulk import update_rows
from brigade.duty.choices import PlaceKind
from brigade.duty.models import Place, Unit

pytestmark = pytest.mark.django_db


def place(name: str) -> Place:
    return Place.objects.create(
        name=name,
        kind=PlaceKind.ROAD,
        latitude=Decimal("36.450000"),
        longitude=Decimal("115.980000"),
    )


def test_each_row_gets_its_own_values_and_nothing_else_changes():
    # given: three places; two are rewritten
    first, second, untouched = place("东昌路"), place("柳园路"), place("兴华路")
    unit = Unit.objects.create(code="u1", name="一中队")
    written = update_rows(
        Place,
        ["name", "latitude", "line", "is_active", "unit"],
        [
            (
                first.pk,
                "东昌东路",
                Decimal("36.451234"),
                [[36.45, 115.98], [36.46, 115.99]],
                False,
                unit.pk,
            ),
            (second.pk, "柳园南路", Decimal("36.400001"), None, True, None),
        ],
    )
    # then: two rows written, each with its values (text, decimal, JSON, boolean, key)
    assert written == 2
    rows = {p.pk: p for p in Place.objects.all()}
    assert (rows[first.pk].name, rows[first.pk].latitude, rows[first.pk].is_active) == (
        "东昌东路",
        Decimal("36.451234"),
        False,
    )
    assert rows[first.pk].line == [[36.45, 115.98], [36.46, 115.99]]
    assert rows[first.pk].unit_id == unit.pk
    assert (rows[second.pk].name, rows[second.pk].latitude, rows[second.pk].line) == (
        "柳园南路",
        Decimal("36.400001"),
        None,
    )
    # the fields not named keep their values, the row not named is as it was
    assert rows[first.pk].longitude == Decimal("115.980000")
    assert (rows[untouched.pk].name, rows[untouched.pk].latitude) == (
        "兴华路",
        Decimal("36.450000"),
    )


def test_nothing_to_write_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert update_rows(Place, ["name"], []) == 0


def test_many_rows_are_one_statement_per_batch_on_postgresql(django_assert_max_num_queries):
    from django.db import connection

    places = [place(f"路{i}") for i in range(30)]
    # one UPDATE on PostgreSQL; Django's bulk update elsewhere (one too, by CASE)
    with django_assert_max_num_queries(3):
        assert (
            update_rows(Place, ["name"], [(p.pk, f"新路{i}") for i, p in enumerate(places)]) == 30
        )
    assert sorted(Place.objects.values_list("name", flat=True)) == sorted(
        f"新路{i}" for i in range(30)
    )
    assert connection.vendor in ("postgresql", "sqlite")
