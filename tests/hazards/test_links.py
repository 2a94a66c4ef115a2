"""Hazards raised from an accident or a 12345 ticket: the report form prefilled (only from
records the user may see), the link kept and shown both ways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazards.choices import HazardSource
from hazards.models import Hazard
from tests.hazards.factories import HazardFactory
from tests.incidents.factories import AccidentFactory
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_raise_from_an_accident(client, commander, unit):
    accident = AccidentFactory(unit=unit, road="建设东路", place="弯道")
    client.force_login(commander)
    form = client.get(f"/hazards/report/?accident={accident.pk}")
    assert form.status_code == 200
    assert form.context["form"].initial["road"] == "建设东路"
    assert form.context["form"].initial["source"] == HazardSource.ACCIDENT
    response = client.post(
        f"/hazards/report/?accident={accident.pk}",
        {
            "element": "road",
            "road": "建设东路",
            "description": "弯道缺少减速标线",
            "severity": "high",
            "source": "accident",
        },
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.accident == accident
    detail = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'data-testid="source-accident"' in detail
    # and the accident's page lists it, with a button to raise another
    page = client.get(reverse("incidents:accident_detail", args=[accident.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="linked-hazards"' in html
    assert f"/hazards/{hazard.pk}/" in html
    assert f"/hazards/report/?accident={accident.pk}" in html


def test_another_units_accident_or_ticket_is_404(client, commander, other_unit):
    client.force_login(commander)
    accident = AccidentFactory(unit=other_unit)
    ticket = TicketFactory(unit=other_unit)
    assert client.get(f"/hazards/report/?accident={accident.pk}").status_code == 404
    assert client.get(f"/hazards/report/?ticket={ticket.pk}").status_code == 404
    # not a record number at all: a 400 naming the parameter (brigade/core/params.py)
    assert client.get("/hazards/report/?ticket=abc").status_code == 400


def test_raise_from_a_ticket_over_the_api(api_as, clerk, unit):
    ticket = TicketFactory(unit=unit)
    response = api_as(clerk).post(
        "/api/v1/hazards/hazards/",
        {"element": "road", "road": "花园路", "description": ticket.content, "ticket": ticket.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["ticket"], response.json()["source"]) == (ticket.pk, "ticket")
    assert list(ticket.hazards.values_list("pk", flat=True)) == [response.json()["id"]]


def test_ticket_out_of_scope_over_the_api_is_a_field_error(api_as, clerk, other_unit):
    ticket = TicketFactory(unit=other_unit)
    response = api_as(clerk).post(
        "/api/v1/hazards/hazards/",
        {"element": "road", "road": "x", "description": "x", "ticket": ticket.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "ticket" in response.json()


def test_linked_partial_lists_the_records_hazards(unit):
    from django.template.loader import render_to_string

    accident = AccidentFactory(unit=unit)
    hazard = HazardFactory(unit=unit, accident=accident)
    html = render_to_string(
        "hazards/partials/linked_hazards.html", {"record": accident, "link_param": "accident"}
    )
    assert f"/hazards/{hazard.pk}/" in html
    assert hazard.get_status_display() in html


def test_the_ticket_page_lists_its_hazards(client, clerk, unit):
    ticket = TicketFactory(unit=unit)
    hazard = HazardFactory(unit=unit, ticket=ticket)
    client.force_login(clerk)
    response = client.get(reverse("petitions:ticket_detail", args=[ticket.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="linked-hazards"' in html
    assert f"/hazards/{hazard.pk}/" in html
    assert f"/hazards/report/?ticket={ticket.pk}" in html
    detail = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert f'href="{reverse("petitions:ticket_detail", args=[ticket.pk])}"' in detail
