"""Every state × action of the four transition tables (a hazard, a ticket, a fund advance, a
hit-and-run case), walked through the API and through the detail page's buttons.

The API answers the action (200, or 201 where it creates a record) exactly when the table
allows it from the record's state, or when the record is already where a repeatable action
leads (a repeat answers with the record); otherwise 409. The page shows the action's button
exactly when the table allows it from the state to the viewer's role.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from brigade.core.transitions import Action, TransitionTable
from hazards.choices import HazardStatus
from hazards.transitions import HAZARD_TRANSITIONS
from incidents.choices import AdvanceStatus, SolvedHow
from incidents.models import FundAdvance
from incidents.transitions import ACCIDENT_TRANSITIONS, ADVANCE_TRANSITIONS, OPEN_CASE, SOLVED
from petitions.choices import TicketStatus
from petitions.transitions import TICKET_TRANSITIONS
from tests.brigade.factories import OfficerFactory
from tests.hazards.factories import (
    AssignedHazardFactory,
    HazardFactory,
    RectifiedHazardFactory,
    photo,
)
from tests.incidents.factories import AccidentFactory, FundAdvanceFactory, paid_advance
from tests.petitions.factories import TicketFactory

# clock: reads "now" (today, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

PERSONAS = ("officer", "clerk", "commander", "admin_user")


def cells(table: TransitionTable) -> list[tuple[str, str]]:
    return [(state, action.name) for state in table.states for action in table.actions]


def guarded(action: Action, record: Any) -> bool:
    """The action's guard (what beyond the state it needs of the record) lets it through."""
    return record is None or action.guard is None or action.guard(record)


def api_allows(table: TransitionTable, state: str, name: str, record: Any = None) -> bool:
    """What the table says the API does: the action from one of its sources (its guard
    passing), or a repeat of a repeatable action on a record already where it leads."""
    action = table[name]
    return (state in action.sources and guarded(action, record)) or (
        action.repeatable and state == action.target
    )


def page_offers(action: Action, state: str, role: str, record: Any = None) -> bool:
    return (
        state in action.sources
        and guarded(action, record)
        and (action.roles is None or role in action.roles)
    )


def role_of(user: Any) -> str:
    return str(user.groups.get().name)


def test_a_table_names_only_its_own_states() -> None:
    with pytest.raises(ValueError, match="unknown states"):
        TransitionTable(states=("a",), actions=(Action("go", ("a",), "b"),))


@pytest.mark.parametrize(
    ("table", "states"),
    [
        (HAZARD_TRANSITIONS, HazardStatus.values),
        (TICKET_TRANSITIONS, TicketStatus.values),
        (ADVANCE_TRANSITIONS, AdvanceStatus.values),
    ],
)
def test_a_table_covers_every_state_of_its_model(table: TransitionTable, states: list[str]):
    assert sorted(table.states) == sorted(states)


# --- hazards ------------------------------------------------------------------------------


def make_hazard(unit: Any, state: str) -> Any:
    now = timezone.now()
    if state == HazardStatus.REPORTED:
        return HazardFactory(unit=unit)
    if state in (HazardStatus.ASSIGNED, HazardStatus.RECTIFYING):
        return AssignedHazardFactory(unit=unit, status=state)
    if state == HazardStatus.RECTIFIED:
        return RectifiedHazardFactory(unit=unit)
    if state == HazardStatus.VERIFIED:
        return RectifiedHazardFactory(unit=unit, status=state, verified_at=now, closed_at=now)
    if state == HazardStatus.REJECTED:
        return HazardFactory(unit=unit, status=state, rejection_reason="不属实", closed_at=now)
    original = HazardFactory(unit=unit)
    return HazardFactory(unit=unit, status=state, duplicate_of=original, closed_at=now)


HAZARD_BUTTONS = {
    "assign": "assign-submit",
    "start": "start-submit",
    "rectify": "rectify-submit",
    "verify": "verify-submit",
    "fail_check": "fail-submit",
    "reject": "reject-submit",
    "duplicate": "duplicate-submit",
    "photos": "photos-submit",
    "edit": "hazard-edit-link",
}


def hazard_call(client: Any, hazard: Any, name: str) -> Any:
    path = f"/api/v1/hazards/hazards/{hazard.pk}/"
    if name == "edit":
        return client.patch(path, {"description": "护栏缺损两处"}, format="json")
    if name == "photos":
        body = {"stage": "before", "photos": [photo()]}
        return client.post(f"{path}photos/", body, format="multipart")
    bodies: dict[str, dict[str, Any]] = {
        "assign": {"responsible_party": "市政养护所"},
        "rectify": {"measures": "设置警示标志"},
        "fail_check": {"reason": "警示标志缺失"},
        "reject": {"reason": "不属实"},
        "duplicate": {"original": HazardFactory(unit=hazard.unit).pk},
    }
    segment = name.replace("_", "-")
    return client.post(f"{path}{segment}/", bodies.get(name, {}), format="json")


@pytest.mark.parametrize(("state", "name"), cells(HAZARD_TRANSITIONS))
def test_hazard_api_answers_what_the_table_allows(api_as, commander, unit, state, name):
    hazard = make_hazard(unit, state)
    response = hazard_call(api_as(commander), hazard, name)
    expected = 200 if api_allows(HAZARD_TRANSITIONS, state, name) else 409
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", HAZARD_TRANSITIONS.states)
def test_hazard_page_offers_what_the_table_allows(client, request, unit, persona, state):
    user = request.getfixturevalue(persona)
    hazard = make_hazard(unit, state)
    client.force_login(user)
    page = client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).content.decode()
    for action in HAZARD_TRANSITIONS.actions:
        shown = f'data-testid="{HAZARD_BUTTONS[action.name]}"' in page
        assert shown == page_offers(action, state, role_of(user)), action.name


# --- tickets ------------------------------------------------------------------------------


def make_ticket(unit: Any, state: str) -> Any:
    now = timezone.now()
    handler = OfficerFactory(unit=unit)
    fields: dict[str, dict[str, Any]] = {
        TicketStatus.RECEIVED: {},
        TicketStatus.SIGNED: {"signed_at": now},
        TicketStatus.HANDLING: {"signed_at": now, "handler": handler},
        TicketStatus.REPLIED: {"signed_at": now, "handler": handler, "replied_at": now},
        # closed an hour ago: past the few seconds its closer had to undo it
        TicketStatus.CLOSED: {
            "signed_at": now,
            "handler": handler,
            "closed_at": now - dt.timedelta(hours=1),
        },
        TicketStatus.RETURNED: {"returned_at": now, "return_reason": "非本单位职责"},
    }
    return TicketFactory(unit=unit, status=state, **fields[state])


TICKET_BUTTONS = {name: f"action-{name}" for name in TICKET_TRANSITIONS.names}
# the action's answer when it is allowed: a callback and an extension request are records
TICKET_CREATED = {"callback", "extend"}


def ticket_call(client: Any, ticket: Any, name: str) -> Any:
    new_due = ticket.close_due + dt.timedelta(days=5)
    bodies: dict[str, dict[str, Any]] = {
        "assign": {"handler": OfficerFactory(unit=ticket.unit).pk},
        "reply": {"text": "已安排警力疏导。"},
        "callback": {"result": "satisfied"},
        "reopen": {"reason": "群众投诉"},
        "return": {"reason": "非本单位职责"},
        "extend": {"new_due": new_due.isoformat(), "reason": "需协调市政部门"},
    }
    path = reverse(f"petitions-api:ticket-{name}", kwargs={"pk": ticket.pk})
    return client.post(path, bodies.get(name, {}), format="json")


@pytest.mark.parametrize(("state", "name"), cells(TICKET_TRANSITIONS))
def test_ticket_api_answers_what_the_table_allows(api_as, commander, unit, state, name):
    ticket = make_ticket(unit, state)
    response = ticket_call(api_as(commander), ticket, name)
    allowed = 201 if name in TICKET_CREATED else 200
    expected = allowed if api_allows(TICKET_TRANSITIONS, state, name, ticket) else 409
    assert response.status_code == expected, response.content


def test_a_ticket_called_back_for_its_round_offers_no_second_callback(api_as, commander, unit):
    ticket = make_ticket(unit, TicketStatus.CLOSED)
    ticket.callback_round = ticket.round
    ticket.save()
    assert not TICKET_TRANSITIONS.can(ticket, "callback")
    assert ticket_call(api_as(commander), ticket, "callback").status_code == 409


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", TICKET_TRANSITIONS.states)
def test_ticket_page_offers_what_the_table_allows(client, request, unit, persona, state):
    user = request.getfixturevalue(persona)
    ticket = make_ticket(unit, state)
    client.force_login(user)
    response = client.get(reverse("petitions:ticket_detail", args=[ticket.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for action in TICKET_TRANSITIONS.actions:
        shown = f'data-testid="{TICKET_BUTTONS[action.name]}"' in page
        assert shown == page_offers(action, state, role_of(user), ticket), action.name


# --- fund advances ------------------------------------------------------------------------


def make_advance(unit: Any, state: str) -> Any:
    accident = AccidentFactory(unit=unit)
    if state == AdvanceStatus.PAID:
        return paid_advance(accident=accident)
    fields: dict[str, dict[str, Any]] = {
        AdvanceStatus.REQUESTED: {},
        AdvanceStatus.APPROVED: {"approved_at": timezone.now()},
        AdvanceStatus.REJECTED: {"approved_at": timezone.now(), "rejected_reason": "不符合条件"},
    }
    return FundAdvanceFactory(accident=accident, status=state, **fields[state])


# the page's button of each action; a change of the request is the API's alone
ADVANCE_BUTTONS: dict[str, str | None] = {
    "approve": "approve",
    "reject": "reject",
    "pay": "pay",
    "recover": "recover",
    "change": None,
}


def advance_call(client: Any, advance: Any, name: str) -> Any:
    base = "/api/v1/incidents"
    if name == "change":
        return client.patch(
            f"{base}/fund-advances/{advance.pk}/", {"amount": "9000.00"}, format="json"
        )
    if name == "recover":
        body = {"advance": advance.pk, "payer": "肇事方", "amount": "100.00"}
        return client.post(f"{base}/recoveries/", body, format="json")
    body = {"reason": "不符合条件"} if name == "reject" else {}
    headers = {}
    if name == "approve":  # an approval names the version it approves (four eyes)
        headers["HTTP_IF_MATCH"] = client.get(f"{base}/fund-advances/{advance.pk}/")["ETag"]
    return client.post(f"{base}/fund-advances/{advance.pk}/{name}/", body, format="json", **headers)


@pytest.mark.parametrize(("state", "name"), cells(ADVANCE_TRANSITIONS))
def test_advance_api_answers_what_the_table_allows(api_as, commander, unit, state, name):
    advance = make_advance(unit, state)
    if name == "change":  # only its requester changes a request (four eyes)
        FundAdvance.objects.filter(pk=advance.pk).update(requested_by=commander)
    response = advance_call(api_as(commander), advance, name)
    allowed = 201 if name == "recover" else 200
    expected = allowed if api_allows(ADVANCE_TRANSITIONS, state, name) else 409
    assert response.status_code == expected, response.content
    if expected == 409:
        advance.refresh_from_db()
        assert (advance.status, advance.amount) == (state, Decimal("10000.00"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", ADVANCE_TRANSITIONS.states)
def test_advance_page_offers_what_the_table_allows(client, request, unit, persona, state):
    user = request.getfixturevalue(persona)
    advance = make_advance(unit, state)
    client.force_login(user)
    page = client.get(reverse("incidents:fundadvance_detail", args=[advance.pk])).content.decode()
    for action in ADVANCE_TRANSITIONS.actions:
        button = ADVANCE_BUTTONS[action.name]
        if button is None:
            continue
        shown = f'data-testid="{button}"' in page
        assert shown == page_offers(action, state, role_of(user)), action.name


def test_a_fully_recovered_advance_offers_no_recovery(client, commander, unit):
    advance = paid_advance(accident=AccidentFactory(unit=unit), amount_recovered=Decimal("10000"))
    client.force_login(commander)
    page = client.get(reverse("incidents:fundadvance_detail", args=[advance.pk])).content.decode()
    assert 'data-testid="recover"' not in page
    assert not ADVANCE_TRANSITIONS.can(advance, "recover")


# --- hit-and-run cases --------------------------------------------------------------------


def make_accident(unit: Any, state: str) -> Any:
    if state == OPEN_CASE:
        return AccidentFactory(unit=unit, hit_and_run=True)
    if state == SOLVED:
        solved: dict[str, Any] = {"solved_at": timezone.now(), "solved_how": SolvedHow.WITNESS}
        return AccidentFactory(unit=unit, hit_and_run=True, **solved)
    return AccidentFactory(unit=unit)


@pytest.mark.parametrize(("state", "name"), cells(ACCIDENT_TRANSITIONS))
def test_accident_api_answers_what_the_table_allows(api_as, commander, unit, state, name):
    accident = make_accident(unit, state)
    assert ACCIDENT_TRANSITIONS.state(accident) == state
    path = f"/api/v1/incidents/accidents/{accident.pk}/{name}/"
    response = api_as(commander).post(path, {"solved_how": "surveillance"}, format="json")
    expected = 200 if api_allows(ACCIDENT_TRANSITIONS, state, name) else 409
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", ACCIDENT_TRANSITIONS.states)
def test_accident_page_offers_what_the_table_allows(client, request, unit, persona, state):
    user = request.getfixturevalue(persona)
    accident = make_accident(unit, state)
    client.force_login(user)
    page = client.get(reverse("incidents:accident_detail", args=[accident.pk])).content.decode()
    action = ACCIDENT_TRANSITIONS["solve"]
    shown = 'data-testid="solve-submit"' in page
    assert shown == page_offers(action, state, role_of(user))


# --- the tables are what the API's roles are made of ---------------------------------------


@pytest.mark.parametrize(
    ("viewset", "table"),
    [
        ("hazards.api.views.HazardViewSet", HAZARD_TRANSITIONS),
        ("petitions.api.views.TicketViewSet", TICKET_TRANSITIONS),
        ("incidents.api.views.FundAdvanceViewSet", ADVANCE_TRANSITIONS),
        ("incidents.api.views.AccidentViewSet", ACCIDENT_TRANSITIONS),
    ],
)
def test_the_api_takes_each_actions_roles_from_its_table(viewset: str, table: TransitionTable):
    from django.utils.module_loading import import_string

    action_roles = import_string(viewset).action_roles
    for name, allowed in table.roles().items():
        assert action_roles[name] == allowed
