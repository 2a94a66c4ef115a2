"""The period report page: the figures by area with links to their records, the period
picker and its presets, the scope, bad input, the empty state, the exports' buttons, who
may open it, where it is linked from, and its query count."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brigade.core.report.period import presets
from brigade.duty.choices import TrainingKind
from hazards.choices import FacilityKind
from tests.brigade.factories import RoadWorksZoneFactory, TrainingSessionFactory
from tests.hazards.factories import FacilityWorkFactory, HazardFactory
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("period_report")
Q1 = {"from": "2022-01-01", "to": "2022-03-31"}
EN = {"Accept-Language": "en"}


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2022, month, day, hour))


@pytest.fixture
def quarter(unit, other_unit):
    HazardFactory(unit=unit, found_at=at(1, 10))
    HazardFactory(unit=other_unit, found_at=at(2, 10))
    TicketFactory(unit=unit, received_at=at(3, 1))
    TrainingSessionFactory(unit=unit, kind=TrainingKind.STUDY, held_on=dt.date(2022, 3, 1))
    FacilityWorkFactory(
        unit=unit, kind=FacilityKind.PARKING_BAY, quantity=80, done_on=dt.date(2022, 3, 16)
    )
    RoadWorksZoneFactory(unit=unit, road="花园路", starts_on=dt.date(2022, 3, 15))
    RoadWorksZoneFactory(unit=other_unit, road="东昌东路", starts_on=dt.date(2022, 3, 1))
    return unit, other_unit


def _text(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def test_the_commander_reads_the_quarter_by_area(client, brigade_commander, quarter):
    client.force_login(brigade_commander)
    response = client.get(PAGE, Q1, headers=EN)
    assert response.status_code == 200
    html = response.content.decode()
    for area in ("team", "hazards", "incidents", "traffic", "service", "publicity"):
        assert f'data-testid="report-area-{area}"' in html
    assert _text(html, "value-hazards.found") == "2"
    assert _text(html, "value-petitions.received") == "1"
    assert _text(html, "value-hazards.facility_works.parking_bay") == "80"
    assert _text(html, "value-training.study") == "1"
    assert _text(html, "value-petitions.closure_rate") == "0.0%"
    assert _text(html, "numerator-petitions.closure_rate") == "0"
    assert _text(html, "denominator-petitions.closure_rate") == "1"
    denominator = re.search(
        r'href="([^"]+)" class="link-secondary" data-testid="denominator-petitions.closure_rate"',
        html,
    )
    assert denominator
    listed = client.get(denominator.group(1).replace("&amp;", "&"), headers=EN)
    assert 'data-count="1"' in listed.content.decode()
    assert _text(html, "value-hazards.rectification_rate") == "0.0%"
    assert _text(html, "detail-brigade.road_works") == "东昌东路、花园路"
    # each figure links to its records, filtered to the period
    link = re.search(r'href="([^"]+)"[^>]*data-testid="value-hazards.found"', html)
    assert link
    url = urlparse(link.group(1).replace("&amp;", "&"))
    assert url.path == reverse("dashboard_records")
    assert parse_qs(url.query) == {
        "figure": ["hazards.found"],
        "side": ["n"],
        "from": ["2022-01-01"],
        "to": ["2022-03-31"],
    }
    listed = client.get(link.group(1).replace("&amp;", "&"), headers=EN).content.decode()
    assert 'data-count="2"' in listed
    # the exports of the same report
    assert "export=xlsx" in html and "export=docx" in html
    assert 'data-testid="report-computed-at"' in html


def test_chinese_is_the_default(client, brigade_commander, quarter):
    client.force_login(brigade_commander)
    html = client.get(PAGE, Q1).content.decode()
    assert "隐患排查" in html and "办理12345承办单" in html and "统计报表" in html


def test_a_unit_of_the_brigade(client, brigade_commander, quarter):
    _unit, other_unit = quarter
    client.force_login(brigade_commander)
    html = client.get(PAGE, {**Q1, "unit": other_unit.pk}, headers=EN).content.decode()
    assert _text(html, "value-hazards.found") == "1"
    assert _text(html, "value-petitions.received") == "0"
    assert _text(html, "report-scope") == other_unit.name
    assert f'<option value="{other_unit.pk}" selected>' in html


def test_a_squadron_commander_reads_their_squadron_only(client, commander, quarter):
    _unit, other_unit = quarter
    client.force_login(commander)
    html = client.get(PAGE, Q1, headers=EN).content.decode()
    assert _text(html, "value-hazards.found") == "1"
    assert "Whole brigade" not in html
    assert other_unit.name not in html
    assert client.get(PAGE, {**Q1, "unit": other_unit.pk}).status_code == 404


def test_bad_input_is_shown_with_400(client, brigade_commander):
    client.force_login(brigade_commander)
    response = client.get(PAGE, {"from": "2022-04-01", "to": "2022-03-31"}, headers=EN)
    assert response.status_code == 400
    html = response.content.decode()
    assert _text(html, "error-to") == "The end of the period cannot be before its start."
    assert 'value="2022-04-01"' in html  # the input is kept to correct
    assert 'data-testid="report-sections"' not in html
    assert client.get(PAGE, {"from": "2022-01-01"}).status_code == 400


def test_without_dates_this_half_year_so_far(client, brigade_commander):
    client.force_login(brigade_commander)
    response = client.get(PAGE, headers=EN)
    assert response.status_code == 200
    half = next(p for p in presets() if p.key == "half_year").period
    assert response.context["period"] == half
    html = response.content.decode()
    assert 'aria-current="true" data-testid="preset-half_year"' in html
    # (other presets may be the same period on some days: 1 January is every "so far")
    assert 'aria-current="true" data-testid="preset-last_year"' not in html


def test_presets_link_to_their_periods_for_the_same_unit(client, brigade_commander, quarter):
    unit, _other = quarter
    client.force_login(brigade_commander)
    html = client.get(PAGE, {**Q1, "unit": unit.pk}).content.decode()
    for preset in presets():
        match = re.search(rf'href="([^"]+)"[^>]*data-testid="preset-{preset.key}"', html)
        assert match, preset.key
        query = parse_qs(urlparse(match.group(1).replace("&amp;", "&")).query)
        assert query == {
            "from": [preset.period.first.isoformat()],
            "to": [preset.period.last.isoformat()],
            "unit": [str(unit.pk)],
        }


def test_the_dashboards_week_is_its_year_to_date(client, brigade_commander):
    client.force_login(brigade_commander)
    response = client.get(PAGE, {"week": "2022-W24"}, headers=EN)
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.first, period.last) == (dt.date(2022, 1, 1), dt.date(2022, 6, 19))
    assert "as on the dashboard" in response.content.decode()


def test_an_empty_period_says_so(client, brigade_commander, quarter):
    client.force_login(brigade_commander)
    html = client.get(PAGE, {"from": "2021-01-01", "to": "2021-03-31"}, headers=EN).content.decode()
    assert 'data-testid="empty-state"' in html
    assert "Nothing was recorded in this period" in html
    assert 'data-testid="report-sections"' not in html
    assert 'data-testid="export-xlsx"' not in html


def test_who_may_open_it(client, officer, clerk, commander, admin_user):
    assert client.get(PAGE).status_code == 302  # to the sign-in page
    for user, status in ((officer, 403), (clerk, 403), (commander, 200), (admin_user, 200)):
        client.force_login(user)
        assert client.get(PAGE).status_code == status, user


def test_linked_from_the_navigation_of_commanders_and_admins(
    client, officer, commander, admin_user
):
    for user, shown in ((officer, False), (commander, True), (admin_user, True)):
        client.force_login(user)
        html = client.get(reverse("home"), follow=True).content.decode()
        assert ('data-testid="nav-report"' in html) is shown, user


def test_linked_from_the_dashboard_with_its_week_and_scope(client, brigade_commander, unit):
    client.force_login(brigade_commander)
    html = client.get(reverse("dashboard"), {"week": "2022-W24", "unit": unit.pk}).content.decode()
    match = re.search(r'href="([^"]+)"[^>]*data-testid="dashboard-report"', html)
    assert match
    url = urlparse(match.group(1).replace("&amp;", "&"))
    assert url.path == PAGE
    assert parse_qs(url.query) == {"week": ["2022-W24"], "unit": [str(unit.pk)]}


def _queries(client, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE, query).status_code == 200
    return len(captured)


def test_a_fixed_number_of_queries(client, brigade_commander, quarter):
    unit, other_unit = quarter
    client.force_login(brigade_commander)
    few = _queries(client, Q1)
    for day in range(60):
        when = at(1, 1) + dt.timedelta(days=day)
        HazardFactory(unit=unit if day % 2 else other_unit, found_at=when)
        TicketFactory(unit=unit, received_at=when)
    assert _queries(client, Q1) == few
    # the session (read, and saved as the idle timer moves), the user, their groups and
    # officer, the units, the bell's count of unread notices, and the report's (10 here:
    # no recompute has run, no flows)
    assert few <= 19
