"""The transitions of a fund advance and of an accident's hit-and-run case, declared once:
from which states each action starts, where it leads and who may do it. The services refuse
what a table does not allow (HTTP 409), the pages offer exactly the actions it allows, and
the API takes its roles from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from brigade.core.roles import DESK, DUTY, STAFF
from brigade.core.transitions import Action, TransitionTable
from incidents.choices import AdvanceStatus

if TYPE_CHECKING:
    from incidents.models import FundAdvance


def _outstanding(advance: FundAdvance) -> bool:
    """Something is left to recover (a recovery beyond it is refused as invalid, 400)."""
    return bool(advance.outstanding > 0)


ADVANCE_TRANSITIONS = TransitionTable(
    states=tuple(AdvanceStatus.values),
    actions=(
        # checks of the request: never the requester's own (four eyes), also open to the
        # brigade's second approver (brigade.core.permissions.four_eyes)
        Action(
            "approve",
            (AdvanceStatus.REQUESTED,),
            AdvanceStatus.APPROVED,
            STAFF,
            repeatable=True,
            check=True,
        ),
        Action("reject", (AdvanceStatus.REQUESTED,), AdvanceStatus.REJECTED, STAFF, check=True),
        Action("pay", (AdvanceStatus.APPROVED,), AdvanceStatus.PAID, DESK),
        # no change of state
        Action("recover", (AdvanceStatus.PAID,), None, DESK, guard=_outstanding),
        # the beneficiary, payee, purpose and amount: only while the request is undecided,
        # by its requester or a clerk on their behalf (incidents.services.advance_update)
        Action("change", (AdvanceStatus.REQUESTED,), None),
    ),
)

# An accident's hit-and-run case: computed from ``hit_and_run`` and ``solved_at``
# (Accident.case_state), not a field of its own.
NOT_HIT_AND_RUN = "not_hit_and_run"
OPEN_CASE = "open"
SOLVED = "solved"

ACCIDENT_TRANSITIONS = TransitionTable(
    states=(NOT_HIT_AND_RUN, OPEN_CASE, SOLVED),
    actions=(Action("solve", (OPEN_CASE,), SOLVED, DUTY),),
    state_of=lambda accident: str(accident.case_state),
    lookups={
        NOT_HIT_AND_RUN: {"hit_and_run": False},
        OPEN_CASE: {"hit_and_run": True, "solved_at__isnull": True},
        SOLVED: {"hit_and_run": True, "solved_at__isnull": False},
    },
)
