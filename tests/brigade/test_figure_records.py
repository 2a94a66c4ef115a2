"""Every figure opens exactly the records it counts: on the demo brigade (``seed_demo``),
every registered metric key × the brigade and every unit × weeks of 2022 (the week that
spans New Year and opens the year's figures, a middle one, the latest with data), through
the records API (``records_api`` of /api/v1/dashboard/kpis/, whose ``count``, or ``total``
for a sum, is the figure) and through the dashboard's links to the records page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from brigade.core.kpi.models import KpiFlow
from brigade.core.kpi.weeks import week_key
from brigade.duty.models import Unit

pytestmark = pytest.mark.django_db

KPIS = reverse("dashboard-api:kpis")
RECORDS = reverse("dashboard-api:records")
DASHBOARD = reverse("dashboard")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo brigade, seeded once for the module inside a transaction rolled back at
    its end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, DEMO_PASSWORD="demo-pass-1"),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def demo_commander(seeded) -> Any:
    return get_user_model().objects.get(username="commander")


@pytest.fixture
def demo_api(demo_commander) -> APIClient:
    client = APIClient()
    client.force_authenticate(demo_commander)
    return client


def weeks() -> list[str]:
    """The week of 2021-12-27 (its Sunday is 2 January: the first of 2022's figures), a
    middle week, and the latest week with a recorded event."""
    latest = KpiFlow.objects.exclude(metric__startswith="brigade.post_coverage").aggregate(
        last=Max("week")
    )["last"]
    return ["2021-W52", "2022-W14", week_key(latest)]


def number(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def records(client: Any, url: str) -> dict[str, Any]:
    """The records API's answer for a link (the whole list: count and total)."""
    response = client.get(f"{url}&page_size=1")
    assert response.status_code == 200, (url, response.content)
    return response.json()


def assert_lists(client: Any, url: str, figure: Any, what: str, places: str = "0.0001") -> None:
    body = records(client, url)
    total, expected = Decimal(str(body["total"])), Decimal(str(figure))
    assert abs(total - expected) < Decimal(places), (what, url, body["total"], figure)
    if not body["is_sum"]:
        assert body["count"] == figure, (what, url, body["count"], figure)


def test_every_metric_of_every_scope_and_week_lists_its_records(demo_api, seeded):
    scopes: list[dict[str, Any]] = [
        {},
        *({"unit": pk} for pk in Unit.objects.values_list("pk", flat=True)),
    ]
    checked = 0
    for week in weeks():
        for scope in scopes:
            figures = demo_api.get(KPIS, {"week": week, **scope}).json()
            assert figures["has_data"], (week, scope)
            for key, figure in figures["metrics"].items():
                what = f"{key} {week} {scope}"
                assert_lists(demo_api, figure["records_api"], figure["numerator"], what)
                if figure["is_rate"]:
                    assert_lists(
                        demo_api, figure["denominator_records_api"], figure["denominator"], what
                    )
                else:
                    assert figure["denominator_records_api"] is None
                checked += 1
    assert checked > 3 * len(scopes) * 40  # every key, not a few


def test_figures_are_not_all_zero(demo_api, seeded):
    """The walk above compares real lists: the demo's figures of 2022-W26 count records."""
    figures = demo_api.get(KPIS, {"week": "2022-W26"}).json()["metrics"]
    assert figures["petitions.received"]["numerator"] == 1620
    body = records(demo_api, figures["petitions.received"]["records_api"])
    assert body["count"] == 1620 and body["results"][0]["url"]


def _count_on(page: Any) -> int:
    found = re.search(r'data-testid="records-count" data-count="(\d+)"', page.text)
    assert found, page.text[:2000]
    return int(found.group(1))


def _total_on(page: Any) -> str | None:
    found = re.search(r'data-testid="records-total">([^<]*)<', page.text)
    return " ".join(found.group(1).split()) if found else None


def test_dashboard_tiles_and_unit_cells_open_pages_stating_the_figure(
    client, demo_commander, seeded
):
    client.force_login(demo_commander)
    for week in weeks():
        page = client.get(DASHBOARD, {"week": week, "lang": "en"})
        assert page.status_code == 200
        figures = client.get(KPIS, {"week": week}).json()["metrics"]
        tiles = [key for key, figure in figures.items() if figure["tile"]]
        for key in tiles:
            figure = figures[key]
            link = re.search(
                rf'href="([^"]+)"[^>]*data-testid="kpi-link-{re.escape(key)}"', page.text
            )
            assert link, key
            opened = client.get(link.group(1).replace("&amp;", "&"))
            assert opened.status_code == 200
            body = records(client, figure["records_api"])
            assert _count_on(opened) == body["count"], key
            if not body["is_sum"]:
                assert _count_on(opened) == figure["numerator"], key
            else:
                assert _total_on(opened), key
            if figure["is_rate"]:
                link = re.search(
                    rf'href="([^"]+)"[^>]*data-testid="kpi-denominator-{re.escape(key)}"',
                    page.text,
                )
                assert link, key
                opened = client.get(link.group(1).replace("&amp;", "&"))
                assert _count_on(opened) == figure["denominator"], key
        cells = re.findall(r'data-testid="unit-cell-(\d+)-([\w.]+)"><a href="([^"]+)"', page.text)
        assert len(cells) == len(tiles) * Unit.objects.count()
        for unit_id, key, href in cells:
            figure = client.get(KPIS, {"week": week, "unit": unit_id}).json()["metrics"][key]
            opened = client.get(href.replace("&amp;", "&"))
            assert opened.status_code == 200
            body = records(client, figure["records_api"])
            assert _count_on(opened) == body["count"], (unit_id, key)
            assert number(body["total"]) == number(figure["numerator"]), (unit_id, key)


def _queries(demo_api: Any, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = demo_api.get(RECORDS, params)
    assert response.status_code == 200
    return len([q for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))])


@pytest.mark.parametrize(
    "key",
    [
        "petitions.received",
        "brigade.violations_corrected",
        "brigade.training_attendance_rate",
        "brigade.post_coverage_rate",
        "hazards.overdue",
        "outreach.campaign_progress",
    ],
)
def test_the_records_api_reads_a_fixed_number_of_queries(demo_api, seeded, key):
    """However many records a page shows: the units, the count and total, the page (and,
    for a list of rows no queryset expresses, their records)."""
    _queries(demo_api, {"metric": key, "week": "2022-W26"})  # warm: the user's roles
    small = _queries(demo_api, {"metric": key, "week": "2022-W26", "page_size": 1})
    large = _queries(demo_api, {"metric": key, "week": "2022-W26", "page_size": 200})
    assert small == large <= 6


# --- the period report ------------------------------------------------------------------------

REPORT = reverse("dashboard-api:report")
REPORT_PAGE = reverse("period_report")
H1 = {"from": "2022-01-01", "to": "2022-06-30"}


def test_every_report_figure_of_the_half_year_lists_its_records(demo_api, seeded):
    scopes: list[dict[str, Any]] = [
        {},
        *({"unit": pk} for pk in Unit.objects.values_list("pk", flat=True)),
    ]
    nonzero = 0
    for scope in scopes:
        report = demo_api.get(REPORT, {**H1, **scope}).json()
        for figure in report["figures"]:
            what = f"{figure['key']} {scope}"
            # The report reads the weekly flows (4 decimals a week and unit) for whole weeks
            # and the records for the days around them, summed the same way: patrol hours
            # agree to the ten-thousandth, as the records list adds them.
            assert_lists(demo_api, figure["records_api"], figure["numerator"], what)
            if figure["is_rate"]:
                assert_lists(
                    demo_api, figure["denominator_records_api"], figure["denominator"], what
                )
            else:
                assert figure["denominator_records_api"] is None
            nonzero += bool(figure["numerator"])
    assert nonzero > 50


def test_the_report_pages_figures_open_pages_stating_them(client, demo_commander, seeded):
    client.force_login(demo_commander)
    page = client.get(REPORT_PAGE, H1).content.decode()
    figures = {f["key"]: f for f in client.get(REPORT, H1).json()["figures"]}
    links = re.findall(
        r'href="([^"]+)"[^>]*data-testid="(value|numerator|denominator)-([\w.]+)"', page
    )
    assert len(links) >= len(figures)
    for href, which, key in links:
        figure = figures[key]
        opened = client.get(href.replace("&amp;", "&"))
        assert opened.status_code == 200, key
        expected = figure["denominator"] if which == "denominator" else figure["numerator"]
        body = records(
            client, figure["denominator_records_api" if which == "denominator" else "records_api"]
        )
        assert _count_on(opened) == body["count"], key
        if not body["is_sum"]:
            assert _count_on(opened) == expected, (key, which)
