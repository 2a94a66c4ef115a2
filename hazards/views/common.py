"""What the hazards pages share: which units a form offers, and which unit a new
record belongs to."""

from __future__ import annotations

from typing import TypeAlias

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from brigade.core.scope import scope_of
from brigade.core.units import unit_of_new_record
from brigade.duty.models import Unit

# Who ``request.user`` is: a signed-in user (the pages require one) or, typed, anonymous.
RequestUser: TypeAlias = AbstractBaseUser | AnonymousUser


def chooser_units(user: RequestUser) -> QuerySet[Unit] | None:
    """Units a user picks from on a form: only someone who sees several units picks."""
    scope = scope_of(user)
    if scope.brigade_wide or scope.unit_id is None:
        return Unit.objects.visible_to(user)
    return None


def own_unit(user: RequestUser, chosen: Unit | None = None) -> Unit:
    """The unit a new record belongs to (the shared rule); for a user without one (an
    administrator), the first unit they see."""
    unit = unit_of_new_record(user, chosen, otherwise=lambda: Unit.objects.visible_to(user).first())
    if unit is None:
        raise Http404(_("No unit to record this in."))
    return unit


def unit_for(user: RequestUser, form: forms.Form) -> Unit:
    return own_unit(user, form.cleaned_data.get("unit"))
