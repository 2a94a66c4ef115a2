"""Who a user is in the brigade: roles (Django groups) and the records in their scope.

Computed once per user object and cached on it, so that scoping every queryset of a
request costs no query beyond the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brigade.choices import Role, UnitKind

if TYPE_CHECKING:
    from brigade.models import Officer

_CACHE_ATTR = "_brigade_scope"


@dataclass(frozen=True)
class Scope:
    """What a user may see: every unit, or one unit; and who they are on the road."""

    roles: frozenset[str]
    brigade_wide: bool
    unit_id: int | None
    officer: Officer | None

    @property
    def officer_id(self) -> int | None:
        return self.officer.pk if self.officer else None

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_commander(self) -> bool:
        return self.has_any(Role.COMMANDER, Role.ADMIN)


EMPTY_SCOPE = Scope(roles=frozenset(), brigade_wide=False, unit_id=None, officer=None)


def scope_of(user: Any) -> Scope:
    """The scope of ``user``: superusers and admins, and commanders at headquarters,
    see the whole brigade; everyone else sees their own unit."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from brigade.models import Officer

    roles = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        roles.add(Role.ADMIN)
    officer = Officer.objects.select_related("unit").filter(user=user, is_active=True).first()
    unit_id = officer.unit_id if officer else None
    brigade_wide = Role.ADMIN in roles or (
        Role.COMMANDER in roles
        and officer is not None
        and officer.unit.kind == UnitKind.HEADQUARTERS
    )
    scope = Scope(
        roles=frozenset(roles), brigade_wide=brigade_wide, unit_id=unit_id, officer=officer
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope (after a change of groups or officer profile)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
