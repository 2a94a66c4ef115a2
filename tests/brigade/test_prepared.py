"""Querysets compiled once (brigade/core/prepared.py): every run answers what the ORM
answers for its own values, whatever the list's length or the time zone, and the
transaction lock of a frequent writer excludes the other writers."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, IntegerField, QuerySet
from django.db.models.functions import Cast, ExtractHour
from django.utils import timezone

from brigade.core.kpi.lock import _key, named_transaction
from brigade.core.prepared import Prepared
from brigade.duty.models import Unit

pytestmark = pytest.mark.django_db

ZONE = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def units() -> list[Unit]:
    return [Unit.objects.create(code=f"u{i}", name=f"中队{i}") for i in range(5)]


def by_names(names: list[str], since: dt.datetime) -> QuerySet[Unit]:
    # by name: a unit's code is normalised on its way in (not a value kept as given)
    return (
        Unit.objects.filter(name__any_of=names, created_at__gte=since)
        .order_by("code")
        .values_list("code", "name")
    )


def test_each_run_answers_for_its_own_values(units):
    # given: one statement, run with lists of other lengths and another time
    built: list[dict[str, object]] = []

    def build(names: list[str], since: dt.datetime) -> QuerySet[Unit]:
        built.append({"names": names})
        return by_names(names, since)

    statement = Prepared(build)
    long_ago = dt.datetime(2000, 1, 1, tzinfo=ZONE)
    # then: each answer is the ORM's own for those values
    assert statement.rows(names=["中队1"], since=long_ago) == [("u1", "中队1")]
    assert statement.rows(names=["中队4", "中队0", "中队2"], since=long_ago) == [
        ("u0", "中队0"),
        ("u2", "中队2"),
        ("u4", "中队4"),
    ]
    later = timezone.now() + dt.timedelta(days=1)
    assert statement.rows(names=["中队1", "中队2"], since=later) == []
    # an empty list: nothing, answered by the ORM
    assert statement.rows(names=[], since=long_ago) == []
    if connection.vendor == "postgresql":
        # compiled once for the lists of any length (the empty one aside)
        assert len(built) == 2, built
    else:
        assert len(built) == 4


@pytest.mark.postgres
def test_the_sql_is_one_for_any_length_on_postgresql(units):
    statement = Prepared(by_names)
    since = dt.datetime(2000, 1, 1, tzinfo=ZONE)
    one, params_one = statement.sql(names=["中队1"], since=since)
    three, params_three = statement.sql(names=["中队1", "中队2", "中队3"], since=since)
    assert one == three and "= ANY(" in one
    assert params_one == [since, ["中队1"]]
    assert params_three == [since, ["中队1", "中队2", "中队3"]]


def test_an_hour_follows_the_time_zone_of_the_run(units):
    # given: a unit created at 23:30 UTC (07:30 the next day in Beijing)
    instant = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)
    Unit.objects.filter(code="u1").update(created_at=instant)

    def hours(names: list[str]) -> QuerySet[Unit]:
        return (
            Unit.objects.filter(name__any_of=names)
            .annotate(hour=Cast(ExtractHour("created_at"), IntegerField()))
            .values_list("hour")
            .annotate(n=Count("pk"))
        )

    statement = Prepared(hours)
    # then: the hour is the zone's of each run, not the first run's
    assert statement.rows(names=["中队1"]) == [(7, 1)]
    with timezone.override("UTC"):
        assert statement.rows(names=["中队1"]) == [(23, 1)]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert statement.rows(names=["中队1"]) == [(7, 1)]


def test_a_value_the_orm_changes_is_not_kept_but_still_right(units):
    # given: a value the build turns into another before the ORM sees it
    statement = Prepared(lambda name: Unit.objects.filter(name=name.lower()).values_list("code"))
    # then: compiled every time, and the answer follows the value
    assert statement.rows(name="中队1") == [("u1",)]
    assert statement.rows(name="中队2") == [("u2",)]
    assert statement._compiled == {}


def test_any_of_is_in_elsewhere(units):
    rows = Unit.objects.filter(name__any_of=["中队3", "中队9"]).values_list("code", flat=True)
    assert list(rows) == ["u3"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_transaction_lock_excludes_other_writers_until_the_commit():
    # given: another session (another process would be the same to the server)
    other = psycopg2.connect(
        host=connection.settings_dict["HOST"],
        port=connection.settings_dict["PORT"] or 5432,
        user=connection.settings_dict["USER"],
        password=connection.settings_dict["PASSWORD"],
        dbname=connection.settings_dict["NAME"],
    )
    other.autocommit = True
    try:
        with other.cursor() as cursor:

            def free() -> bool:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key("tests.prepared")])
                got = cursor.fetchone()[0]
                if got:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_key("tests.prepared")])
                return bool(got)

            with named_transaction("tests.prepared", "SET LOCAL synchronous_commit TO OFF"):
                # then: held in the transaction, with its statements run
                assert not free()
                with connection.cursor() as mine:
                    mine.execute("SHOW synchronous_commit")
                    assert mine.fetchone()[0] == "off"
            # and released by the commit
            assert free()
            with pytest.raises(ZeroDivisionError), named_transaction("tests.prepared"):
                assert not free()
                raise ZeroDivisionError
            # and by a rollback
            assert free()
    finally:
        other.close()
