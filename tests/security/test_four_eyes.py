"""Four eyes: whoever did the work neither checks nor approves it, and an approval names the
version it approves.

- a pending fund advance is edited only by its requester (or a clerk on their behalf,
  recorded); the approval carries the version the approver read (If-Match or ``version``)
  and fails with 412 when the amount changed since; an approved amount never changes;
- a hazard's rectifier may not verify it; an extension's requester may not approve it;
- a brigade with a single commander names a second approver (``SECOND_APPROVER``), who may
  check work in their place, and the record says so.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from hazards import services as hazard_services
from hazards.choices import HazardStatus
from hazards.models import Hazard
from incidents.choices import AdvanceStatus
from incidents.models import FundAdvance
from petitions.choices import ExtensionStatus
from petitions.models import Ticket, TicketExtension
from tests.hazards.factories import HazardFactory
from tests.incidents.factories import FundAdvanceFactory
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.django_db

ADVANCES = "/api/v1/incidents/fund-advances"
HAZARDS = "/api/v1/hazards/hazards"
TICKETS = "/api/v1/petitions/tickets"


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _advance(unit, requested_by, amount="1000.00", **kwargs):
    return FundAdvanceFactory(
        accident__unit=unit, requested_by=requested_by, amount=Decimal(amount), **kwargs
    )


def _etag(client, advance):
    response = client.get(f"{ADVANCES}/{advance.pk}/")
    assert response.status_code == 200
    return response["ETag"]


# --- finding 1: the fund advance ---------------------------------------------------------


def test_an_officer_cannot_patch_a_colleagues_pending_advance(api_as, officer, clerk, unit):
    advance = _advance(unit, clerk)
    response = api_as(officer).patch(
        f"{ADVANCES}/{advance.pk}/", {"amount": "999999.00"}, format="json"
    )
    assert response.status_code == 403
    advance.refresh_from_db()
    assert advance.amount == Decimal("1000.00")


def test_a_commander_cannot_raise_a_colleagues_request(api_as, officer, commander, unit):
    advance = _advance(unit, officer)
    response = api_as(commander).patch(
        f"{ADVANCES}/{advance.pk}/", {"amount": "880000.00"}, format="json"
    )
    assert response.status_code == 403
    advance.refresh_from_db()
    assert advance.amount == Decimal("1000.00")


def test_the_requester_edits_their_own_pending_request(api_as, officer, unit):
    advance = _advance(unit, officer)
    response = api_as(officer).patch(
        f"{ADVANCES}/{advance.pk}/", {"amount": "1200.00"}, format="json"
    )
    assert response.status_code == 200
    advance.refresh_from_db()
    assert advance.amount == Decimal("1200.00")
    assert advance.edited_by == officer


def test_a_clerk_edits_on_the_requesters_behalf_and_is_recorded(
    en, api_as, officer, clerk, commander, unit
):
    advance = _advance(unit, officer)
    response = api_as(clerk).patch(
        f"{ADVANCES}/{advance.pk}/", {"payee": "市中医院"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["edited_by"]["username"] == "clerk"
    advance.refresh_from_db()
    assert advance.payee == "市中医院" and advance.edited_by == clerk
    assert advance.history.first().history_change_reason  # the history says on whose behalf
    en.force_login(commander)
    page = en.get(reverse("incidents:fundadvance_detail", args=[advance.pk]))
    assert "on behalf of the requester" in page.text


def test_approval_with_the_etag_read_before_an_amount_change_is_412(
    api_as, officer, commander, brigade_commander, unit
):
    advance = _advance(unit, officer)
    approver = api_as(brigade_commander)
    etag = _etag(approver, advance)
    # the requester raises the amount after the approver read it
    raised = api_as(officer).patch(
        f"{ADVANCES}/{advance.pk}/", {"amount": "880000.00"}, format="json"
    )
    assert raised.status_code == 200
    approver = api_as(brigade_commander)
    response = approver.post(f"{ADVANCES}/{advance.pk}/approve/", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.REQUESTED and advance.approved_by is None
    # with the version now read, the approval goes through (the body's ``version`` will do)
    fresh = _etag(approver, advance)
    approved = approver.post(f"{ADVANCES}/{advance.pk}/approve/", {"version": fresh}, format="json")
    assert approved.status_code == 200
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.APPROVED and advance.amount == Decimal("880000.00")


def test_approval_without_a_version_is_428(api_as, officer, commander, unit):
    advance = _advance(unit, officer)
    client = api_as(commander)
    for headers in ({}, {"HTTP_IF_MATCH": "*"}):
        response = client.post(f"{ADVANCES}/{advance.pk}/approve/", **headers)
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"]
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.REQUESTED


def test_the_requester_cannot_approve_their_own_advance(api_as, commander, unit):
    advance = _advance(unit, commander)
    client = api_as(commander)
    response = client.post(
        f"{ADVANCES}/{advance.pk}/approve/", HTTP_IF_MATCH=_etag(client, advance)
    )
    assert response.status_code == 403
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.REQUESTED


@pytest.mark.parametrize("status", [AdvanceStatus.APPROVED, AdvanceStatus.PAID])
def test_an_approved_amount_never_changes(api_as, officer, clerk, status, unit):
    advance = _advance(unit, officer, status=status)
    for user in (officer, clerk):
        response = api_as(user).patch(
            f"{ADVANCES}/{advance.pk}/", {"amount": "999999.00"}, format="json"
        )
        assert response.status_code == 409
        advance.refresh_from_db()
        assert advance.amount == Decimal("1000.00")


def test_the_admin_cannot_change_an_approved_amount(client, admin_user, officer, unit):
    advance = _advance(unit, officer, status=AdvanceStatus.APPROVED)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    url = reverse("admin:incidents_fundadvance_change", args=[advance.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="amount"' not in page.text  # shown, not offered for editing
    client.post(
        url,
        {
            "accident": advance.accident_id,
            "beneficiary": advance.beneficiary,
            "payee": advance.payee,
            "purpose": advance.purpose,
            "amount": "999999.00",
            "requested_by": officer.pk,
            "notes": "",
        },
    )
    advance.refresh_from_db()
    assert advance.amount == Decimal("1000.00")


def test_the_approve_button_carries_the_version_it_showed(
    en, officer, commander, brigade_commander, unit
):
    advance = _advance(unit, officer)
    en.force_login(commander)
    page = en.get(reverse("incidents:fundadvance_detail", args=[advance.pk]))
    import re

    version = re.search(r'name="version" value="([^"]+)"', page.text)
    assert version is not None
    # the amount changes after the page was shown
    FundAdvance.objects.get(pk=advance.pk)
    from incidents import services

    services.advance_update(advance=advance, by=officer, amount="880000.00")
    response = en.post(
        reverse("incidents:fundadvance_approve", args=[advance.pk]),
        {"version": version.group(1).replace("&quot;", '"')},
        follow=True,
    )
    assert "has changed since you read it" in response.text
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.REQUESTED
    # without a version the page refuses too
    response = en.post(reverse("incidents:fundadvance_approve", args=[advance.pk]), follow=True)
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.REQUESTED


# --- finding 2: the doer does not check their own work ----------------------------------


def _rectified_by(user, unit):
    hazard = HazardFactory(unit=unit, status=HazardStatus.RECTIFYING)
    return hazard_services.hazard_rectify(hazard=hazard, measures="更换护栏", by=user)


def test_the_rectifier_cannot_verify_the_same_hazard(api_as, en, commander, unit):
    hazard = _rectified_by(commander, unit)
    assert Hazard.objects.get(pk=hazard.pk).rectified_by == commander
    response = api_as(commander).post(f"{HAZARDS}/{hazard.pk}/verify/", {}, format="json")
    assert response.status_code == 403
    en.force_login(commander)
    page = en.post(reverse("hazards:hazard_verify", args=[hazard.pk]), {"note": ""})
    assert page.status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED and hazard.verified_by is None


def test_another_commander_verifies_a_rectification(api_as, commander, brigade_commander, unit):
    hazard = _rectified_by(commander, unit)
    response = api_as(brigade_commander).post(f"{HAZARDS}/{hazard.pk}/verify/", {}, format="json")
    assert response.status_code == 200
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.VERIFIED and hazard.verified_by == brigade_commander


def _extension_requested_by(user, unit):
    from petitions import services

    ticket = TicketFactory(unit=unit)
    return services.extension_request(
        ticket=ticket, new_due=ticket.close_due + dt.timedelta(days=10), reason="需协调", by=user
    )


def test_the_requester_cannot_approve_their_own_extension(api_as, en, commander, unit):
    extension = _extension_requested_by(commander, unit)
    due = Ticket.objects.get(pk=extension.ticket_id).close_due
    response = api_as(commander).post(
        f"{TICKETS}/{extension.ticket_id}/approve-extension/", {"approve": True}, format="json"
    )
    assert response.status_code == 403
    en.force_login(commander)
    page = en.post(reverse("petitions:ticket_decide", args=[extension.ticket_id]), {"approve": "1"})
    assert page.status_code == 403
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING
    assert Ticket.objects.get(pk=extension.ticket_id).close_due == due


# --- the single commander's second approver ----------------------------------------------


def test_the_named_second_approver_checks_and_is_recorded(
    settings, api_as, en, commander, clerk, unit
):
    settings.SECOND_APPROVER = "clerk"
    # the brigade's only commander did the work three times
    hazard = _rectified_by(commander, unit)
    advance = _advance(unit, commander)
    extension = _extension_requested_by(commander, unit)
    second = api_as(clerk)  # a clerk by role, named the second approver

    verified = second.post(f"{HAZARDS}/{hazard.pk}/verify/", {}, format="json")
    assert verified.status_code == 200
    assert verified.json()["verified_by_second_approver"] is True
    approved = second.post(
        f"{ADVANCES}/{advance.pk}/approve/", HTTP_IF_MATCH=_etag(second, advance)
    )
    assert approved.status_code == 200
    assert approved.json()["approved_by_second_approver"] is True
    decided = second.post(
        f"{TICKETS}/{extension.ticket_id}/approve-extension/", {"approve": True}, format="json"
    )
    assert decided.status_code == 200
    assert decided.json()["decided_by_second_approver"] is True

    hazard.refresh_from_db()
    advance.refresh_from_db()
    extension.refresh_from_db()
    assert (hazard.verified_by, hazard.verified_by_second_approver) == (clerk, True)
    assert (advance.approved_by, advance.approved_by_second_approver) == (clerk, True)
    assert (extension.decided_by, extension.decided_by_second_approver) == (clerk, True)

    en.force_login(commander)
    for url in (
        reverse("hazards:hazard_detail", args=[hazard.pk]),
        reverse("incidents:fundadvance_detail", args=[advance.pk]),
        reverse("petitions:ticket_detail", args=[extension.ticket_id]),
    ):
        assert "as the second approver" in en.get(url).text, url


def test_the_second_approver_never_checks_their_own_work(settings, api_as, clerk, unit):
    settings.SECOND_APPROVER = "clerk"
    advance = _advance(unit, clerk)
    extension = _extension_requested_by(clerk, unit)
    client = api_as(clerk)
    response = client.post(
        f"{ADVANCES}/{advance.pk}/approve/", HTTP_IF_MATCH=_etag(client, advance)
    )
    assert response.status_code == 403
    response = client.post(
        f"{TICKETS}/{extension.ticket_id}/approve-extension/", {"approve": True}, format="json"
    )
    assert response.status_code == 403
    assert FundAdvance.objects.get(pk=advance.pk).status == AdvanceStatus.REQUESTED
    assert TicketExtension.objects.get(pk=extension.pk).status == ExtensionStatus.PENDING


def test_without_the_setting_a_clerk_checks_nothing(api_as, commander, clerk, unit):
    hazard = _rectified_by(commander, unit)
    response = api_as(clerk).post(f"{HAZARDS}/{hazard.pk}/verify/", {}, format="json")
    assert response.status_code == 403
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFIED
