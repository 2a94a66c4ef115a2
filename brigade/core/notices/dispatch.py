"""Hands new notices to the channels (e-mail, the unit's group robot). Placeholder: the
in-app notice is all there is until the channels land."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brigade.core.notices.models import Notice


def dispatch(notices: Sequence[Notice]) -> None:
    return None
