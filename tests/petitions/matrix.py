"""The petitions app's routes in the permission matrix (tests/test_permission_matrix.py).

The desk (clerks, commanders, administrators) works tickets and proposals; a commander
approves extensions and reopens; everyone reads tickets (masked) and logs consultations;
an administrator edits categories and their deadline rules.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.matrix import (
    ADMIN,
    ADMIN_ONLY,
    CLERK,
    COMMANDER,
    SIGNED_IN,
    STAFF,
    Rule,
    api,
    crud,
    page,
)

NS = "petitions-api"
OPEN311_SERVICE = "matrix-service"  # a brigade-wide category, named in its route
DESK = frozenset({CLERK, COMMANDER, ADMIN})

MATRIX: dict[str, Rule] = {
    f"{NS}:api-root": api(get=SIGNED_IN),
    f"{NS}:ticket-list": api(get=SIGNED_IN, post=DESK),
    f"{NS}:ticket-detail": api("ticket", get=SIGNED_IN, put=DESK, patch=DESK, delete=ADMIN_ONLY),
    f"{NS}:ticket-queue": api(get=SIGNED_IN),
    f"{NS}:ticket-import": api(post=DESK),
    # the round trip with the 12345 platform: the desk, in its scope
    f"{NS}:ticket-import-supervisions": api(post=DESK),
    f"{NS}:ticket-import-platform-callbacks": api(post=DESK),
    f"{NS}:platform-export-list": api(get=DESK, post=DESK),
    f"{NS}:platform-export-detail": api("platform-export", get=DESK),
    f"{NS}:platform-export-download": api("platform-export", get=DESK),
    **{
        f"{NS}:ticket-{name}": api("ticket", post=DESK)
        for name in (
            "sign",
            "assign",
            "reply",
            "close",
            "undo_close",
            "callback",
            "return",
            "extend",
            "reveal",
        )
    },
    f"{NS}:ticket-reopen": api("ticket", post=STAFF),
    f"{NS}:ticket-approve-extension": api("ticket", post=STAFF),
    **crud("category", read=SIGNED_IN, write=ADMIN_ONLY, shared=True, namespace=NS),
    **crud("consultation", read=SIGNED_IN, write=SIGNED_IN, delete=STAFF, namespace=NS),
    **crud("proposal", read=SIGNED_IN, write=DESK, delete=ADMIN_ONLY, namespace=NS),
    f"{NS}:proposal-answer": api("proposal", post=DESK),
    # pages
    "petitions:ticket_list": page(get=DESK),
    "petitions:weekly_summary": page(get=DESK),
    "petitions:ticket_create": page(get=DESK, post=DESK),
    "petitions:ticket_import": page(get=DESK, post=DESK),
    "petitions:ticket_detail": page("ticket", get=SIGNED_IN),
    "petitions:platformexport_list": page(get=DESK),
    "petitions:platformexport_create": page(post=DESK),
    "petitions:platformexport_download": page("platform-export", get=DESK),
    "petitions:platform_supervisions_import": page(get=DESK, post=DESK),
    "petitions:platform_callbacks_import": page(get=DESK, post=DESK),
    **{
        f"petitions:ticket_{name}": page("ticket", post=DESK)
        for name in (
            "sign",
            "assign",
            "reply",
            "close",
            "undo_close",
            "callback",
            "return",
            "extend",
            "reveal",
        )
    },
    "petitions:ticket_decide": page("ticket", post=STAFF),
    "petitions:ticket_reopen": page("ticket", post=STAFF),
    "petitions:consultation_list": page(get=SIGNED_IN),
    "petitions:consultation_create": page(get=SIGNED_IN, post=SIGNED_IN),
    "petitions:proposal_list": page(get=DESK),
    "petitions:proposal_create": page(get=DESK, post=DESK),
    "petitions:proposal_detail": page("proposal", get=DESK),
    "petitions:proposal_answer": page("proposal", post=DESK),
    # Open311 GeoReport v2 (/open311/v2/): everyone reads in scope, the desk files;
    # discovery is public (OPEN311_PUBLIC, off here, opens the reads: test_open311_public.py)
    "open311:discovery": Rule(api=True, allow={"GET": SIGNED_IN}, public=True),
    "open311:services": api(get=SIGNED_IN),
    "open311:service": Rule(
        api=True, allow={"GET": SIGNED_IN}, extra_kwargs={"code": OPEN311_SERVICE}
    ),
    "open311:requests": api(get=SIGNED_IN, post=DESK),
    "open311:request": api("ticket", get=SIGNED_IN),
}


def objects(unit: Any, officer: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The records this app's routes name, made in ``unit`` (for ``officer``)."""
    from petitions.models import PlatformExport, TicketCategory
    from tests.petitions.factories import (
        ConsultationFactory,
        ProposalFactory,
        TicketCategoryFactory,
        TicketFactory,
    )

    category = TicketCategoryFactory()
    if not TicketCategory.objects.filter(code=OPEN311_SERVICE).exists():
        TicketCategoryFactory(code=OPEN311_SERVICE)
    return {
        "ticket": TicketFactory(unit=unit, category=category),
        # a unit's export: its own clerks and commanders see it, another unit's do not
        "platform-export": PlatformExport.objects.create(unit=unit, until=timezone.now()),
        "category": category,
        "consultation": ConsultationFactory(unit=unit),
        "proposal": ProposalFactory(unit=unit),
    }
