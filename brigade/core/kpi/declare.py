"""What an app's metric declarations share."""

from __future__ import annotations

from django.db.models import Choices
from django.utils.functional import Promise


def choice_parts(choices: type[Choices]) -> tuple[tuple[str, Promise | str], ...]:
    """The parts of a metric split by a field with these choices: each value, labelled."""
    return tuple((choice.value, choice.label) for choice in choices)
