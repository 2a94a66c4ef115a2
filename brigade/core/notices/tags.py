"""Template helpers of the notices (in ``{% load brigade_tags %}``): the escalations (督办)
recorded on a record, for its page's shared partial (brigade/partials/escalations.html)."""

from __future__ import annotations

from typing import Any

from django import template

from brigade.core.notices import escalations
from brigade.core.notices.models import Notice

register = template.Library()


@register.simple_tag
def escalations_of(record: Any) -> list[Notice]:
    """The escalations sent about ``record``, newest first, each with its addressee: one
    query whatever their number."""
    return list(escalations.for_item(record))
