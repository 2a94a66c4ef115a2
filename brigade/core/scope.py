"""Who a user is in the brigade: roles (Django groups) and the records in their scope.

Computed once per user object and cached on it, so that scoping every queryset of a
request costs no query beyond the first. The core knows units and officers only through
the ``Organisation`` that the app holding them registers (``register_organisation``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from brigade.core.roles import Role
from brigade.core.typing import Visitor

if TYPE_CHECKING:
    from django.contrib.auth.models import Group
    from django.db.models import Manager


@runtime_checkable
class Person(Protocol):
    """What the scope reads of a user (signed in or anonymous)."""

    is_superuser: bool

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def groups(self) -> Manager[Group]: ...


class Member(Protocol):
    """A user's profile in the brigade (an officer): a record of one unit."""

    pk: int
    unit_id: int


@dataclass(frozen=True)
class Organisation:
    """What the app that holds units and officers tells the core.

    ``member_of(user)``: the user's active profile, or None; ``at_headquarters(member)``:
    whether that profile's unit is the brigade's headquarters (its commanders see every
    unit); ``units_of(user)``: the units the user may see, headquarters first.
    """

    member_of: Callable[[Person], Member | None]
    at_headquarters: Callable[[Member], bool]
    units_of: Callable[[Visitor], QuerySet[Model]]


_organisation: list[Organisation] = []


def register_organisation(organisation: Organisation) -> None:
    _organisation[:] = [organisation]


def organisation() -> Organisation:
    if not _organisation:
        raise ImproperlyConfigured("No app registered the organisation (units and officers).")
    return _organisation[0]


_CACHE_ATTR = "_brigade_scope"


@dataclass(frozen=True)
class Scope:
    """What a user may see: every unit, or one unit; and who they are on the road."""

    roles: frozenset[str]
    brigade_wide: bool
    unit_id: int | None
    officer: Any  # the user's Member (an officer), or None

    @property
    def officer_id(self) -> int | None:
        return self.officer.pk if self.officer else None

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_commander(self) -> bool:
        return self.has_any(Role.COMMANDER, Role.ADMIN)


EMPTY_SCOPE = Scope(roles=frozenset(), brigade_wide=False, unit_id=None, officer=None)


def scope_of(user: object) -> Scope:
    """The scope of ``user``: superusers and admins, and commanders at headquarters,
    see the whole brigade; everyone else sees their own unit."""
    if not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    # the protocol's check reads each of its attributes: once per user, not per call
    if not isinstance(user, Person):
        return EMPTY_SCOPE
    org = organisation()
    roles = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        roles.add(Role.ADMIN)
    officer = org.member_of(user)
    unit_id = officer.unit_id if officer else None
    brigade_wide = Role.ADMIN in roles or (
        Role.COMMANDER in roles and officer is not None and org.at_headquarters(officer)
    )
    scope = Scope(
        roles=frozenset(roles), brigade_wide=brigade_wide, unit_id=unit_id, officer=officer
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: object) -> None:
    """Drop the cached scope (after a change of groups or officer profile)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
