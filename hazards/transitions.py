"""A hazard's transitions, declared once: from which states each action starts, where it
leads and who may do it. The services refuse what the table does not allow (HTTP 409), the
hazard's page offers exactly the actions it allows, and the API takes its roles from it."""

from __future__ import annotations

from brigade.core.roles import DUTY, STAFF
from brigade.core.transitions import Action, TransitionTable
from hazards.choices import OPEN_STATUSES, HazardStatus

_OPEN = tuple(OPEN_STATUSES)
_NEW = (HazardStatus.REPORTED, HazardStatus.ASSIGNED)

HAZARD_TRANSITIONS = TransitionTable(
    states=tuple(HazardStatus.values),
    actions=(
        Action("assign", _NEW, HazardStatus.ASSIGNED, STAFF),
        Action("start", (HazardStatus.ASSIGNED,), HazardStatus.RECTIFYING, DUTY),
        Action(
            "rectify",
            (HazardStatus.ASSIGNED, HazardStatus.RECTIFYING),
            HazardStatus.RECTIFIED,
            DUTY,
        ),
        # checks of the rectification: never by its rectifier (four eyes), also open to the
        # brigade's second approver (brigade.core.permissions.four_eyes)
        Action(
            "verify",
            (HazardStatus.RECTIFIED,),
            HazardStatus.VERIFIED,
            STAFF,
            repeatable=True,
            check=True,
        ),
        Action("fail_check", (HazardStatus.RECTIFIED,), HazardStatus.RECTIFYING, STAFF, check=True),
        Action("reject", _NEW, HazardStatus.REJECTED, STAFF),
        Action("duplicate", _NEW, HazardStatus.DUPLICATE, STAFF),
        # no change of state: allowed while the hazard is open
        Action("photos", _OPEN, None, DUTY),
        Action("edit", _OPEN, None, STAFF),
    ),
)
