"""The commanders' dashboard page: tiles, trend data, the per-unit table, freshness, the
recompute button and its progress, roles and query counts."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRun
from brigade.core.kpi.weeks import current_week, week_key
from brigade.tasks import recompute_all_task
from tests.brigade.factories import (
    AttendanceFactory,
    OfficerFactory,
    PatrolLogFactory,
    TrainingSessionFactory,
    UnitFactory,
    ViolationTallyFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]
# a weekday mid-morning, in a week that ends in its own year: the tests pinned to it
# check change tracking, not the calendar (a week ending in the next year, as on 31
# December 2026, counts next year's year to date)
WEDNESDAY = dt.datetime(2026, 12, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

HTMX = {"HX-Request": "true"}
URL = reverse("dashboard")
W24 = dt.date(2022, 6, 13)


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def local(year, month, day, hour=8):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def patrol(unit, started_at, hours=2, **tallies):
    log = PatrolLogFactory(
        officer=OfficerFactory(unit=unit),
        started_at=started_at,
        ended_at=started_at + dt.timedelta(hours=hours),
    )
    for kind, count in tallies.items():
        ViolationTallyFactory(patrol=log, kind=kind, count=count)
    return log


@pytest.fixture
def records(unit, other_unit):
    patrol(unit, local(2022, 6, 7), no_helmet=1)  # W23
    patrol(unit, local(2022, 6, 14), hours=1, speeding=4)  # W24
    patrol(unit, local(2022, 6, 15), no_helmet=2)  # W24
    patrol(other_unit, local(2022, 6, 15), hours=4, no_helmet=5)  # W24
    session = TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 6, 14))
    AttendanceFactory(session=session, attended=True)
    AttendanceFactory(session=session, attended=False)
    engine.recompute_all()


VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}


class _TextOf(HTMLParser):
    """The text of the first element whose data-testid is ``name`` (children included)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.depth, self.found, self.parts = name, 0, False, []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif not self.found and dict(attrs).get("data-testid") == self.name:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def text_of(response, name):
    """What a reader sees inside the element with ``data-testid=name``."""
    parser = _TextOf(name)
    parser.feed(response.text)
    assert parser.found, f"no {name} on the page"
    return " ".join("".join(parser.parts).split())


def chart_data(response):
    match = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>',
        response.text,
        re.S,
    )
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


# --- what a commander sees ------------------------------------------------------------------


def test_brigade_commander_sees_tiles_with_values_change_and_links(en, brigade_commander, records):
    en.force_login(brigade_commander)

    response = en.get(URL, {"week": "2022-W24"})

    assert response.status_code == 200
    assert text_of(response, "kpi-value-brigade.patrols") == "4"
    assert "▲ 3 vs last week" in text_of(response, "kpi-change-brigade.patrols")
    assert text_of(response, "kpi-value-brigade.patrol_hours") == "9"
    assert text_of(response, "kpi-value-brigade.violations_corrected") == "12"
    assert text_of(response, "kpi-value-brigade.training_attendance_rate") == "50.0%"
    assert text_of(response, "kpi-fraction-brigade.training_attendance_rate") == "1 / 2"
    # split parts are charted, not tiled
    assert 'data-testid="kpi-tile-brigade.violations.no_helmet"' not in response.text
    tile = re.search(r'href="([^"]+)" data-testid="kpi-link-brigade.patrols"', response.text)
    assert tile and tile.group(1).startswith(reverse("dashboard_records"))
    assert "metric=brigade.patrols" in tile.group(1) and "week=2022-W24" in tile.group(1)
    opened = en.get(tile.group(1).replace("&amp;", "&"))
    assert "4 records" in text_of(opened, "records-count")
    assert "Computed at" in text_of(response, "dashboard-computed-at")
    assert 'data-testid="dashboard-stale"' not in response.text


def test_chart_data_is_embedded_for_26_weeks_with_violations_by_type(
    en, brigade_commander, records
):
    en.force_login(brigade_commander)

    response = en.get(URL, {"week": "2022-W24"})

    data = chart_data(response)
    assert len(data["weeks"]) == 26
    assert data["weeks"][-1] == "2022-W24"
    patrols = next(c for c in data["charts"] if c["key"] == "brigade.patrols")
    assert patrols["values"][-2:] == [1, 4]  # W23, W24 year to date
    assert patrols["values"][0] is None  # before the first record: no rollup
    split = data["splits"][0]
    assert split["key"] == "brigade.violations"
    no_helmet = next(p for p in split["parts"] if p["key"] == "brigade.violations.no_helmet")
    assert no_helmet["values"][-1] == 8
    assert 'data-testid="trend-chart-brigade.patrols"' in response.text
    assert 'data-testid="trend-chart-brigade.violations"' in response.text
    assert "/static/vendor/echarts/echarts.min.js" in response.text
    assert "/static/brigade/dashboard.js" in response.text


def test_per_unit_table_for_the_brigade(en, brigade_commander, unit, other_unit, hq, records):
    en.force_login(brigade_commander)

    response = en.get(URL, {"week": "2022-W24"})

    assert text_of(response, f"unit-cell-{unit.pk}-brigade.patrols") == "3"
    assert text_of(response, f"unit-cell-{other_unit.pk}-brigade.patrols") == "1"
    assert text_of(response, f"unit-cell-{unit.pk}-brigade.training_attendance_rate") == "50.0%"
    assert f'data-testid="unit-row-{hq.pk}"' in response.text


def test_brigade_commander_reads_one_unit(en, brigade_commander, other_unit, records):
    en.force_login(brigade_commander)

    response = en.get(URL, {"week": "2022-W24", "unit": other_unit.pk})

    assert text_of(response, "dashboard-scope") == other_unit.name
    assert text_of(response, "kpi-value-brigade.patrols") == "1"
    assert 'data-testid="unit-table"' not in response.text


def test_squadron_commander_sees_own_unit_and_no_unit_table(en, commander, unit, records):
    en.force_login(commander)

    response = en.get(URL, {"week": "2022-W24"})

    assert text_of(response, "dashboard-scope") == unit.name
    assert text_of(response, "kpi-value-brigade.patrols") == "3"
    assert 'data-testid="unit-table"' not in response.text
    options = re.findall(r'<option value="(\d*)"', response.text)
    assert options == [str(unit.pk)]


def test_squadron_commander_gets_404_for_another_unit(client, commander, other_unit):
    client.force_login(commander)

    assert client.get(URL, {"unit": other_unit.pk}).status_code == 404
    assert client.get(URL, {"unit": "two"}).status_code == 404


def test_week_picker_moves_a_week_and_stops_at_this_week(en, brigade_commander, records):
    en.force_login(brigade_commander)

    response = en.get(URL, {"week": "2022-W24"})
    assert 'href="?week=2022-W23"' in response.text
    assert 'href="?week=2022-W25"' in response.text

    this_week = en.get(URL, {"week": week_key(current_week())})
    assert f'value="{week_key(current_week())}"' in this_week.text
    assert 'data-testid="week-next"' not in this_week.text
    assert 'data-testid="week-fallback"' not in this_week.text  # asked for: no notice


def test_without_records_this_week_it_opens_the_latest_week_with_records_and_says_so(
    en, brigade_commander, unit, records
):
    # given: records up to 2022-W24, none since (the records fixture)
    en.force_login(brigade_commander)
    this_week = week_key(current_week())

    # when: the dashboard is opened without a week
    response = en.get(URL)

    # then: W24's figures, a notice naming both weeks, a link to the current week
    assert 'value="2022-W24"' in response.text
    assert text_of(response, "kpi-value-brigade.patrols") == "4"
    notice = text_of(response, "week-fallback")
    assert f"current week ({this_week}): showing 2022-W24, the latest week with records" in notice
    assert f'href="?week={this_week}" data-testid="week-fallback-current"' in response.text
    assert f'href="?week={this_week}" data-testid="week-current"' in response.text
    # the trends end at that week
    assert chart_data(response)["weeks"][-1] == "2022-W24"
    # one unit's scope opens on its own latest week, and the links keep the scope
    response = en.get(URL, {"unit": unit.pk})
    assert 'value="2022-W24"' in response.text
    assert f"?week={this_week}&amp;unit={unit.pk}" in response.text


@time_machine.travel(WEDNESDAY, tick=True)
def test_a_week_with_records_opens_on_itself_without_a_notice(en, brigade_commander, unit):
    # given: records in the current week
    patrol(unit, timezone.now(), hours=0.05, no_helmet=1)
    engine.recompute_all()
    en.force_login(brigade_commander)

    response = en.get(URL)

    assert f'value="{week_key(current_week())}"' in response.text
    assert 'data-testid="week-fallback"' not in response.text
    assert text_of(response, "kpi-value-brigade.patrols") == "1"


def test_a_bad_week_shows_this_week_with_a_warning(en, brigade_commander, records):
    en.force_login(brigade_commander)

    response = en.get(URL, {"week": "June"})

    # this week's figures with the warning, answered as the refusal it is
    assert response.status_code == 400
    assert "is not a week like 2022-W24" in text_of(response, "week-error")
    assert f'value="{week_key(current_week())}"' in response.text


def test_drift_badge_when_the_live_figure_differs_from_the_published(
    en, brigade_commander, unit, records
):
    # given: W24 published with 4 patrols, then a late one recorded
    engine.publish_week(W24)
    patrol(unit, local(2022, 6, 16))
    engine.recompute_all()
    en.force_login(brigade_commander)

    # when
    response = en.get(URL, {"week": "2022-W24"})

    # then
    assert text_of(response, "kpi-drift-brigade.patrols") == "Published 4 · now 5"
    assert 'data-testid="kpi-drift-brigade.training_attendance_rate"' not in response.text


def test_stale_warning(en, brigade_commander, records):
    engine.mark_stale()
    en.force_login(brigade_commander)

    response = en.get(URL, {"week": "2022-W24"})

    assert "Figures may be stale" in text_of(response, "dashboard-stale")


def test_empty_state_before_anything_is_computed(en, brigade_commander):
    en.force_login(brigade_commander)

    response = en.get(URL, {"week": "2022-W24"})

    assert response.status_code == 200
    assert "No figures have been computed" in text_of(response, "empty-state")
    assert 'data-testid="kpi-tiles"' not in response.text
    assert 'data-testid="recompute-button"' in response.text


def test_the_page_is_in_chinese_by_default(client, brigade_commander, records):
    client.force_login(brigade_commander)

    response = client.get(URL, {"week": "2022-W24"})

    assert "较上周" in response.text
    assert "重新计算" in response.text


# --- recompute ------------------------------------------------------------------------------


def test_recompute_button_starts_a_run_and_shows_it_done(en, brigade_commander, unit):
    patrol(unit, local(2022, 6, 14))
    en.force_login(brigade_commander)
    assert 'data-testid="empty-state"' in en.get(URL, {"week": "2022-W24"}).text

    # when: the button's htmx POST (tasks run eagerly without a broker)
    response = en.post(reverse("dashboard_recompute"), headers=HTMX)

    # then
    assert response.status_code == 202
    assert 'data-state="done"' in response.text
    assert 'data-testid="recompute-refresh"' in response.text
    assert "hx-trigger" not in response.text  # nothing left to poll
    run = KpiRun.objects.get()
    assert run.state == KpiRun.State.DONE and run.requested_by == brigade_commander
    page = en.get(URL, {"week": "2022-W24"})
    assert text_of(page, "kpi-value-brigade.patrols") == "1"


def test_progress_partial_polls_every_second_until_the_run_ends(en, commander):
    run = KpiRun.objects.create(state=KpiRun.State.RUNNING, done=3, total=12)
    en.force_login(commander)
    url = reverse("dashboard_run", kwargs={"pk": run.pk})

    running = en.get(url, headers=HTMX)
    assert 'data-state="running"' in running.text
    assert f'hx-get="{url}"' in running.text
    assert 'hx-trigger="every 1s"' in running.text
    assert "step 3 of 12" in running.text
    assert 'aria-valuenow="25"' in running.text

    KpiRun.objects.filter(pk=run.pk).update(state=KpiRun.State.FAILED, error="disk full")
    failed = en.get(url, headers=HTMX)
    assert 'data-testid="recompute-failed"' in failed.text
    assert "disk full" in failed.text
    assert "hx-trigger" not in failed.text


def test_a_run_in_progress_shows_on_the_page(en, commander):
    KpiRun.objects.create(state=KpiRun.State.QUEUED)
    en.force_login(commander)

    response = en.get(URL)

    assert 'data-testid="recompute-progress"' in response.text
    assert "waiting for a worker" in response.text


def test_recompute_when_the_queue_does_not_answer_says_so(en, brigade_commander, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(recompute_all_task, "apply_async", down)
    en.force_login(brigade_commander)

    response = en.post(reverse("dashboard_recompute"), headers=HTMX)

    assert response.status_code == 200
    assert "The task queue does not answer" in text_of(response, "recompute-error")


def test_recompute_without_javascript_redirects_back_with_a_message(en, brigade_commander, records):
    en.force_login(brigade_commander)
    back = f"{URL}?week=2022-W24"

    response = en.post(reverse("dashboard_recompute"), {"next": back}, follow=True)

    assert response.redirect_chain[-1][0] == back
    assert "The figures have been recomputed." in response.text


def test_recompute_does_not_redirect_elsewhere(en, brigade_commander, records):
    en.force_login(brigade_commander)

    response = en.post(reverse("dashboard_recompute"), {"next": "https://example.com/"})

    assert response["Location"] == URL


def test_unknown_run_is_404(client, commander):
    client.force_login(commander)
    url = reverse("dashboard_run", kwargs={"pk": "4f9d7d3c-0000-4000-8000-000000000000"})

    assert client.get(url).status_code == 404


# --- who gets in ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "clerk"])
def test_officers_and_clerks_get_403(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.post(reverse("dashboard_recompute"), headers=HTMX).status_code == 403
    assert not KpiRun.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["commander", "brigade_commander", "admin_user"])
def test_commanders_and_admins_land_on_the_dashboard_with_a_nav_link(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("home"))["Location"] == URL
    assert 'data-testid="nav-dashboard"' in client.get(URL).text


def test_officers_have_no_dashboard_link(client, officer):
    client.force_login(officer)

    assert 'data-testid="nav-dashboard"' not in client.get(reverse("brigade:duty")).text


# --- queries --------------------------------------------------------------------------------


def _brigade(units: int) -> None:
    for n in range(units):
        u = UnitFactory(code=f"p{units}-{n}", name=f"中队{units}-{n}")
        patrol(u, local(2022, 6, 7), no_helmet=1)
        patrol(u, local(2022, 6, 14), speeding=2)
        session = TrainingSessionFactory(unit=u, held_on=dt.date(2022, 6, 14))
        AttendanceFactory(session=session)
    engine.recompute_all()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, ctx.captured_queries


def _kpi_queries(queries):
    return [q["sql"] for q in queries if "brigade_kpi" in q["sql"]]


def test_page_queries_do_not_grow_with_units_and_a_repeat_reads_no_rollup(
    client, brigade_commander
):
    client.force_login(brigade_commander)
    url = f"{URL}?week=2022-W24"
    _brigade(2)
    _two_page, two = _queries(client, url)
    _brigade(6)  # 8 units; the recompute moves the cache version on
    eight_page, eight = _queries(client, url)
    _again_page, again = _queries(client, url)

    assert len(two) == len(eight)
    assert len(re.findall(r'data-testid="unit-row-\d+"', eight_page.text)) == 8 + 1  # + hq
    # figures (2), trends (1), per-unit table (1), a run in progress (1)
    assert len(_kpi_queries(eight)) == 5
    assert _kpi_queries(again) == [q["sql"] for q in again if "brigade_kpirun" in q["sql"]]
