"""The roles (Django groups) and the sets of them that rules name, each written once.

Views declare ``read_roles``/``write_roles`` with these sets; services and pages ask
``has_role(user, DESK)``. A rule that needs a new combination adds it here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The Django groups; a user's role decides which work the navigation shows."""

    OFFICER = "officer", _("Officer")
    CLERK = "clerk", _("Clerk")
    COMMANDER = "commander", _("Commander")
    ADMIN = "admin", _("Administrator")


# every role
EVERYONE: frozenset[str] = frozenset(Role.values)
# those who command: approve, verify, reopen, recompute, read the dashboard and the report
STAFF: frozenset[str] = frozenset({Role.COMMANDER, Role.ADMIN})
# those who do the brigade's field work, and their commanders
DUTY: frozenset[str] = frozenset({Role.OFFICER, Role.COMMANDER, Role.ADMIN})
# those who go out on the road themselves (an administrator does not patrol)
ON_ROAD: frozenset[str] = frozenset({Role.OFFICER, Role.COMMANDER})
# the office's desk work: tickets, the fund's paperwork, phone numbers, records lists
DESK: frozenset[str] = frozenset({Role.CLERK, Role.COMMANDER, Role.ADMIN})
# those who may see a masked phone number whole, or find a record by it (each time recorded):
# the desk, in their scope (brigade.core.privacy)
REVEAL: frozenset[str] = DESK
ADMIN_ONLY: frozenset[str] = frozenset({Role.ADMIN})
NOBODY: frozenset[str] = frozenset()
# the role whose own work comes first in the navigation (the officer's duty, the clerk's 12345)
OFFICERS: frozenset[str] = frozenset({Role.OFFICER})
CLERKS: frozenset[str] = frozenset({Role.CLERK})
# who of a unit takes a due item nobody holds, in order (brigade/core/notices): its clerks,
# else its commanders; and for a commander's own work (a check, an approval), its commanders
DESK_CHAIN: tuple[str, ...] = (Role.CLERK, Role.COMMANDER)
COMMAND_CHAIN: tuple[str, ...] = (Role.COMMANDER,)
