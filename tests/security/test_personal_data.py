"""Personal data of the public: phone numbers are masked everywhere, shown whole only to the
desk on request, never found by a part of them, and every showing (or whole-number search
that finds a record) is in one log that commanders read.

1. A search must not be an oracle on a masked phone number: ``?q=<digit><known suffix>``
   found the ticket for anyone (an officer recovered ``161****8714`` in 20 searches, with
   nothing logged). A number is found only whole, only by the roles that may reveal it, and
   each such search that finds records is logged.
2. Accident parties' phone numbers were shown whole in the API and on the accident's page:
   masked now, with a logged "show"; commanders read the log on a page (and an API list),
   by person and date.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.incidents.factories import AccidentFactory, AccidentPartyFactory
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.django_db

PHONE = "16112348714"
MASK = "161****8714"
TICKETS = "/api/v1/petitions/tickets/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def log_rows(**filters):
    """The log of phone numbers seen whole (read here so that this module also runs, and
    fails, against code without the log)."""
    from brigade.core.models import RevealLog

    return RevealLog.objects.filter(**filters)


def found(client, q: str) -> list[int]:
    response = client.get(TICKETS, {"q": q})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def ticket(unit):
    return TicketFactory(unit=unit, number="GD-2022-0001", citizen_phone=PHONE)


# --- 1. search is no oracle on the mask ------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "clerk"])
def test_suffix_search_attack_finds_nothing(request, api_as, ticket, persona):
    """The reported attack: knowing ``161****8714``, guess the hidden digits one at a time
    from the end. Twenty searches later nothing is learnt (no ticket is ever found) and the
    whole-number search of an officer finds nothing either."""
    client = api_as(request.getfixturevalue(persona))
    assert client.get(f"{TICKETS}{ticket.pk}/").json()["citizen_phone"] == MASK
    hits = []
    for digit in "0123456789":
        if ticket.pk in found(client, f"{digit}8714"):
            hits.append(f"{digit}8714")
    for digit in "0123456789":
        if ticket.pk in found(client, f"{digit}48714"):
            hits.append(f"{digit}48714")
    assert hits == []
    # the queue reads the same filters
    queue = client.get(f"{TICKETS}queue/", {"q": "48714"}).json()
    assert [row["id"] for row in queue["results"]] == []


def test_whole_number_search_as_officer_finds_nothing_and_logs_nothing(api_as, officer, ticket):
    client = api_as(officer)
    for typed in (PHONE, "161 1234 8714", "161-1234-8714"):
        assert found(client, typed) == []
    assert not log_rows().exists()


def test_whole_number_search_as_clerk_finds_it_and_logs_one_row(api_as, clerk, ticket):
    client = api_as(clerk)
    assert found(client, "161 1234-8714") == [ticket.pk]
    rows = list(log_rows())
    assert len(rows) == 1
    row = rows[0]
    assert (row.user, row.way, row.record_id, row.record) == (
        clerk,
        "search",
        ticket.pk,
        "GD-2022-0001",
    )
    assert row.ip == "127.0.0.1"
    assert row.unit_id == ticket.unit_id
    assert timezone.now() - row.at < dt.timedelta(minutes=1)
    # a whole number that finds nothing writes nothing
    assert found(client, "16112340000") == []
    assert log_rows().count() == 1


def test_whole_number_search_stays_in_scope(api_as, clerk, other_unit, ticket):
    elsewhere = TicketFactory(unit=other_unit, citizen_phone=PHONE)
    assert found(api_as(clerk), PHONE) == [ticket.pk]
    assert list(log_rows().values_list("record_id", flat=True)) == [ticket.pk]
    assert elsewhere.pk not in log_rows().values_list("record_id", flat=True)


def test_number_search_still_works_for_everyone(api_as, officer, ticket):
    client = api_as(officer)
    assert found(client, "GD-2022-0001") == [ticket.pk]
    assert found(client, "0001") == [ticket.pk]
    assert not log_rows().exists()


def test_queue_page_search_by_part_finds_nothing_whole_finds_and_logs(client, clerk, ticket):
    client.force_login(clerk)
    page = client.get("/petitions/", {"q": "48714", "status": "received"}, **EN)
    assert page.status_code == 200
    assert f"/petitions/tickets/{ticket.pk}/" not in page.content.decode()
    page = client.get("/petitions/", {"q": PHONE, "status": "received"}, **EN)
    assert f"/petitions/tickets/{ticket.pk}/" in page.content.decode()
    assert log_rows(way="search", user=clerk).count() == 1


def test_ordering_by_phone_is_no_oracle(api_as, officer, unit):
    """Ordering by a masked field would tell its order: it is not offered."""
    first = TicketFactory(unit=unit, citizen_phone="19900000000")
    second = TicketFactory(unit=unit, citizen_phone="13000000000")
    client = api_as(officer)
    plain = [row["id"] for row in client.get(TICKETS).json()["results"]]
    for ordering in ("citizen_phone", "-citizen_phone"):
        rows = client.get(TICKETS, {"ordering": ordering}).json()["results"]
        assert [row["id"] for row in rows] == plain
    assert {first.pk, second.pk} == set(plain)


# --- 2. accident parties: masked, shown on request, logged ------------------------------------


@pytest.fixture
def party(unit):
    accident = AccidentFactory(unit=unit)
    return AccidentPartyFactory(accident=accident, name="李四", phone="13912345678")


def accident_api(party) -> str:
    return f"/api/v1/incidents/accidents/{party.accident_id}/"


@pytest.mark.parametrize("persona", ["officer", "clerk", "commander", "admin_user"])
def test_party_phone_is_masked_in_the_api(request, api_as, party, persona):
    client = api_as(request.getfixturevalue(persona))
    detail = client.get(accident_api(party)).json()
    assert detail["parties"][0]["phone"] == "139****5678"
    listed = client.get("/api/v1/incidents/accidents/").json()["results"]
    assert "13912345678" not in str(listed)


def test_party_phone_written_whole_answered_masked(api_as, officer, unit):
    body = {
        "road": "东昌路",
        "unit": unit.pk,
        "parties": [{"name": "王五", "phone": "13700001111", "plate": "鲁P12345"}],
    }
    response = api_as(officer).post("/api/v1/incidents/accidents/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["parties"][0]["phone"] == "137****1111"
    from incidents.models import AccidentParty

    assert AccidentParty.objects.get(name="王五").phone == "13700001111"


def test_party_phone_is_masked_on_the_accident_page(client, officer, clerk, party):
    url = f"/incidents/{party.accident_id}/"
    client.force_login(officer)
    page = client.get(url, **EN).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert f'data-testid="reveal-party-phone-{party.pk}"' not in page
    client.force_login(clerk)
    page = client.get(url, **EN).content.decode()
    assert "13912345678" not in page
    assert f'data-testid="reveal-party-phone-{party.pk}"' in page


def test_party_reveal_api_shows_and_logs(api_as, clerk, officer, party):
    url = f"{accident_api(party)}reveal/"
    assert api_as(officer).post(url, {"party": party.pk}, format="json").status_code == 403
    assert not log_rows().exists()
    response = api_as(clerk).post(url, {"party": party.pk}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "parties": [{"id": party.pk, "name": "李四", "phone": "13912345678"}]
    }
    row = log_rows().get()
    assert (row.user, row.way, row.record_id, row.unit_id) == (
        clerk,
        "reveal",
        party.pk,
        party.accident.unit_id,
    )
    assert "13912345678" not in row.record and "李四" not in row.record
    # a party of another accident: a field message, nothing shown, nothing logged
    other = AccidentPartyFactory(accident=AccidentFactory(unit=party.accident.unit), phone="1")
    bad = api_as(clerk).post(url, {"party": other.pk}, format="json", **EN)
    assert bad.status_code == 400 and "party" in bad.json()
    assert log_rows().count() == 1


def test_party_reveal_out_of_scope_is_404(api_as, client, clerk, other_unit):
    stranger = AccidentPartyFactory(accident=AccidentFactory(unit=other_unit), phone="13912345678")
    url = f"/api/v1/incidents/accidents/{stranger.accident_id}/reveal/"
    assert api_as(clerk).post(url, {}, format="json").status_code == 404
    client.force_login(clerk)
    assert client.post(f"/incidents/parties/{stranger.pk}/reveal/").status_code == 404
    assert not log_rows().exists()


def test_party_reveal_page_shows_and_logs(client, clerk, officer, party):
    url = f"/incidents/parties/{party.pk}/reveal/"
    client.force_login(officer)
    assert client.post(url).status_code == 403
    client.force_login(clerk)
    shown = client.post(url, HTTP_HX_REQUEST="true", **EN)
    assert shown.status_code == 200
    assert "13912345678" in shown.content.decode()
    assert log_rows(user=clerk, way="reveal", record_id=party.pk).count() == 1


# --- 2. the log, for commanders ----------------------------------------------------------------


@pytest.fixture
def logged(unit, other_unit, clerk, commander):
    """Two views in the personas' unit (by the clerk, by the commander), one in another."""
    from incidents import services as incidents_services
    from petitions import services as petitions_services

    own = TicketFactory(unit=unit, citizen_phone=PHONE)
    petitions_services.reveal_phone(ticket=own, user=clerk, ip="10.0.0.1")
    party = AccidentPartyFactory(accident=AccidentFactory(unit=unit), phone="13912345678")
    incidents_services.party_reveal(
        accident=party.accident, parties=[party], user=commander, ip="10.0.0.2"
    )
    elsewhere = TicketFactory(unit=other_unit, citizen_phone=PHONE)
    petitions_services.reveal_phone(ticket=elsewhere, user=clerk, ip="10.0.0.3")
    return {"ticket": own, "party": party, "elsewhere": elsewhere}


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="reveal-row-(\d+)"', page)


def test_log_page_for_a_unit_commander(client, commander, clerk, logged):
    client.force_login(commander)
    page = client.get("/audit/phone-views/", **EN)
    assert page.status_code == 200
    text = page.content.decode()
    assert len(_rows(text)) == 2  # their unit's two, not the other unit's
    assert logged["ticket"].number in text and logged["elsewhere"].number not in text
    assert f'href="/petitions/tickets/{logged["ticket"].pk}/"' in text
    assert f'href="/incidents/parties/{logged["party"].pk}/"' in text
    assert PHONE not in text and "13912345678" not in text
    # by person
    by_clerk = client.get("/audit/phone-views/", {"user": clerk.pk}, **EN).content.decode()
    assert len(_rows(by_clerk)) == 1
    # by date
    today = timezone.localdate()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert (
        len(_rows(client.get("/audit/phone-views/", {"date_from": tomorrow}).content.decode())) == 0
    )
    dated = client.get("/audit/phone-views/", {"date_from": today, "date_to": today})
    assert len(_rows(dated.content.decode())) == 2


def test_log_page_brigade_wide_and_refused_to_the_rest(
    client, brigade_commander, admin_user, clerk, officer, logged
):
    for user in (brigade_commander, admin_user):
        client.force_login(user)
        assert len(_rows(client.get("/audit/phone-views/").content.decode())) == 3
    for user in (clerk, officer):
        client.force_login(user)
        assert client.get("/audit/phone-views/").status_code == 403
    client.logout()
    assert client.get("/audit/phone-views/").status_code == 302


def test_log_in_the_navigation_of_commanders_only(client, commander, clerk):
    client.force_login(commander)
    assert 'data-testid="nav-reveal-log"' in client.get("/dashboard/", **EN).content.decode()
    client.force_login(clerk)
    assert 'data-testid="nav-reveal-log"' not in client.get("/petitions/", **EN).content.decode()


def test_following_a_party_link_reaches_its_accident(client, commander, other_unit, logged):
    client.force_login(commander)
    party = logged["party"]
    response = client.get(f"/incidents/parties/{party.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{party.accident_id}/#party-{party.pk}"
    stranger = AccidentPartyFactory(accident=AccidentFactory(unit=other_unit))
    assert client.get(f"/incidents/parties/{stranger.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 12])
def test_log_page_queries_do_not_grow_with_rows(
    client, commander, clerk, unit, rows, django_assert_num_queries
):
    from petitions import services as petitions_services

    for ticket in TicketFactory.create_batch(rows, unit=unit):
        petitions_services.reveal_phone(ticket=ticket, user=clerk)
    client.force_login(commander)
    client.get("/audit/phone-views/")  # warm the content-type cache
    # session, user, scope (groups, officer), the count, the viewers to filter by, the
    # page of rows (with their users and kinds), the bell's count of unread notices, the
    # session's savepoint: the same for 1 and for 12 rows
    with django_assert_num_queries(11):
        page = client.get("/audit/phone-views/")
    assert len(_rows(page.content.decode())) == rows


def test_log_api(api_as, api, commander, brigade_commander, clerk, officer, logged):
    url = "/api/v1/audit/phone-views/"
    body = api_as(commander).get(url).json()
    assert body["count"] == 2
    assert {row["record"] for row in body["results"]} >= {logged["ticket"].number}
    assert {row["way"] for row in body["results"]} == {"reveal"}
    assert api_as(commander).get(url, {"user": clerk.pk}).json()["count"] == 1
    assert api_as(brigade_commander).get(url).json()["count"] == 3
    assert api_as(clerk).get(url).status_code == 403
    assert api_as(officer).get(url).status_code == 403
    api.force_authenticate(None)
    assert api.get(url).status_code == 401


def test_log_is_read_only_in_the_admin(client, admin_user, logged):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=admin_user.pk)
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    assert client.get("/admin/brigade/reveallog/").status_code == 200
    row = log_rows().first()
    assert (
        client.post(f"/admin/brigade/reveallog/{row.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert log_rows().count() == 3


# --- the views logged before: moved into the one log --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_earlier_phone_views_move_into_the_log(unit, clerk):
    """Rows of the tickets' former log (petitions.PhoneViewLog) are copied into the shared
    log by the migration that removes it: who, when, from where, which ticket, its unit."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    ticket = TicketFactory(unit=unit, number="GD-2021-0042", citizen_phone=PHONE)
    before = [("petitions", "0004_date_window")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        old_log = old_apps.get_model("petitions", "PhoneViewLog")
        view = old_log.objects.create(ticket_id=ticket.pk, user_id=clerk.pk, ip="10.1.2.3")
        when = timezone.now() - dt.timedelta(days=40)
        old_log.objects.filter(pk=view.pk).update(at=when)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    row = log_rows().get()
    assert (row.user_id, row.ip, row.way, row.record_id) == (
        clerk.pk,
        "10.1.2.3",
        "reveal",
        ticket.pk,
    )
    assert (row.record, row.unit_id, row.at) == ("GD-2021-0042", unit.pk, when)
    assert list(ticket.phone_views) == [row]
