"""The hazard map's legend and its offline mode, server side: the legend counts the points
on the map by severity (and the overdue ones), with the colours the map's script draws;
without a tile URL the page says the points are on a plain background; the points of a
cluster come from the vendored Leaflet.markercluster, served by the app."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from hazards.choices import HazardStatus, Severity
from hazards.views.hazard_map import OVERDUE_COLOUR, SEVERITY_COLOURS
from tests.hazards.factories import HazardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def _count(html: str, testid: str) -> int:
    match = re.search(rf'data-testid="{re.escape(testid)}">(\d+)<', html)
    assert match, testid
    return int(match.group(1))


def test_legend_counts_the_points_on_the_map(
    client, officer, unit, other_unit, django_assert_max_num_queries
):
    here = {"latitude": "36.4560", "longitude": "115.9850"}
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    HazardFactory(unit=unit, severity=Severity.CRITICAL, **here)
    HazardFactory(unit=unit, severity=Severity.CRITICAL, deadline=yesterday, **here)
    HazardFactory(unit=unit, severity=Severity.LOW, **here)
    HazardFactory(unit=unit, severity=Severity.HIGH)  # no position: not on the map
    HazardFactory(unit=unit, severity=Severity.HIGH, status=HazardStatus.VERIFIED, **here)
    HazardFactory(unit=other_unit, severity=Severity.MEDIUM, **here)  # out of scope
    client.force_login(officer)
    # one more than before the notices: the bell's count
    with django_assert_max_num_queries(10):
        response = client.get("/hazards/map/")
    html = response.content.decode()

    assert [(s["key"], s["count"]) for s in response.context["legend"]["severities"]] == [
        ("critical", 2),
        ("high", 0),
        ("medium", 0),
        ("low", 1),
    ]
    assert _count(html, "legend-count-critical") == 2
    assert _count(html, "legend-count-high") == 0
    assert _count(html, "legend-count-low") == 1
    assert _count(html, "legend-count-overdue") == 1
    # the legend's colours are the ones the script paints with
    config = response.context["map_config"]
    assert config["colours"] == {str(k): v for k, v in SEVERITY_COLOURS.items()}
    assert config["overdue_colour"] == OVERDUE_COLOUR
    assert f"background: {SEVERITY_COLOURS[Severity.CRITICAL]}" in html
    embedded = re.search(r'<script id="hazard-map-config"[^>]*>(.*?)</script>', html, re.S)
    assert embedded and "%(count)s" in json.loads(embedded.group(1))["cluster_label"]


def test_without_tiles_the_page_says_so_and_clusters_are_served(client, officer, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(officer)
    html = client.get("/hazards/map/").content.decode()
    note = re.search(r'<p [^>]*data-testid="map-no-tiles"[^>]*>', html)
    assert note and "hidden" not in note.group(0)
    assert "hazard-map-plain" in html
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "vendor/leaflet.markercluster/MarkerCluster.css" in html
    assert finders.find("vendor/leaflet.markercluster/leaflet.markercluster.js")
    assert finders.find("vendor/leaflet.markercluster/MarkerCluster.css")

    settings.MAP_TILE_URL = "http://tiles.local/{z}/{x}/{y}.png"
    html = client.get("/hazards/map/").content.decode()
    note = re.search(r'<p [^>]*data-testid="map-no-tiles"[^>]*>', html)
    assert note and "hidden" in note.group(0)  # shown by the script if the tiles fail
