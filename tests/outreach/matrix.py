"""The outreach app's routes in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from brigade.core.roles import Role
from tests.matrix import DUTY, SIGNED_IN, STAFF, Rule, api, crud, page

NS = "outreach-api"
# Commendations arrive at the office: clerks record them, with the commanders and admins.
OFFICE = frozenset({Role.CLERK, Role.COMMANDER, Role.ADMIN})

MATRIX: dict[str, Rule] = {
    f"{NS}:api-root": api(get=SIGNED_IN),
    # --- API ---
    **crud("event", read=SIGNED_IN, write=DUTY, delete=STAFF, namespace=NS),
    f"{NS}:event-photos": api("event", post=DUTY),
    **crud("assistance", read=SIGNED_IN, write=DUTY, delete=STAFF, namespace=NS),
    **crud("commendation", read=SIGNED_IN, write=OFFICE, namespace=NS),
    **crud("love-station", read=SIGNED_IN, write=STAFF, namespace=NS),
    f"{NS}:love-station-tally": api("love-station", post=DUTY),
    # outreach campaigns are the brigade's: every unit sees them (the object key differs
    # from the brigade's crackdown campaigns)
    f"{NS}:campaign-list": api(get=SIGNED_IN, post=STAFF),
    f"{NS}:campaign-detail": api(
        "outreach-campaign",
        shared=True,
        writes_scoped=True,
        get=SIGNED_IN,
        put=STAFF,
        patch=STAFF,
        delete=STAFF,
    ),
    # --- pages ---
    "outreach:publicityevent_list": page(get=SIGNED_IN),
    "outreach:publicityevent_create": page(get=DUTY, post=DUTY),
    "outreach:publicityevent_detail": page("event", get=SIGNED_IN, post=DUTY),
    "outreach:publicityevent_edit": page("event", get=DUTY, post=DUTY),
    "outreach:eventphoto_file": page("photo", get=SIGNED_IN),
    "outreach:assistanceevent_list": page(get=SIGNED_IN),
    "outreach:assistanceevent_create": page(get=DUTY, post=DUTY),
    "outreach:assistanceevent_detail": page("assistance", get=SIGNED_IN),
    "outreach:assistanceevent_edit": page("assistance", get=DUTY, post=DUTY),
    "outreach:outreachcampaign_list": page(get=SIGNED_IN),
    "outreach:outreachcampaign_create": page(get=STAFF, post=STAFF),
    # changed only by the lead unit (or brigade-wide roles), so its form is not shared
    "outreach:outreachcampaign_edit": page("outreach-campaign", get=STAFF, post=STAFF),
    "outreach:outreachcampaign_detail": Rule(
        api=False, obj="outreach-campaign", shared=True, allow={"GET": SIGNED_IN}
    ),
    "outreach:lovestation_list": page(get=SIGNED_IN),
    "outreach:lovestation_detail": page("love-station", get=SIGNED_IN),
    "outreach:lovestation_create": page(get=STAFF, post=STAFF),
    "outreach:lovestation_edit": page("love-station", get=STAFF, post=STAFF),
    "outreach:lovestation_tally": page("love-station", post=DUTY),
    "outreach:commendation_list": page(get=SIGNED_IN),
    "outreach:commendation_create": page(get=OFFICE, post=OFFICE),
    "outreach:commendation_detail": page("commendation", get=SIGNED_IN),
    "outreach:commendation_photo": page("commendation", get=SIGNED_IN),
    "outreach:officer_detail": page("officer", get=SIGNED_IN),
    "outreach:unit_detail": page("unit", get=SIGNED_IN),
}


def objects(unit: Any, officer: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The records this app's routes name, made in ``unit`` (for ``officer``)."""
    from outreach.models import EventPhoto
    from tests.outreach.factories import (
        AssistanceEventFactory,
        CommendationFactory,
        LoveStationFactory,
        OutreachCampaignFactory,
        PublicityEventFactory,
        png,
    )

    event = PublicityEventFactory(unit=unit, officers=[officer])
    return {
        "event": event,
        "photo": EventPhoto.objects.create(event=event, photo=png()),
        "assistance": AssistanceEventFactory(unit=unit, officers=[officer]),
        "commendation": CommendationFactory(officer=officer, photo=png()),
        "love-station": LoveStationFactory(unit=unit),
        "outreach-campaign": OutreachCampaignFactory(unit=unit),
    }
