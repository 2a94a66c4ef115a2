"""Small template helpers of every page (loaded as ``{% load brigade_tags %}``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def url_replace(context: dict[str, Any], **params: Any) -> str:
    """The current query string with ``params`` replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in params.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def hours(value: float | None) -> str:
    """A duration in hours as "2 h 05 min"."""
    if value is None:
        return "—"
    minutes = round(value * 60)
    return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}


@register.filter
def weekdays(digits: str) -> str:
    """ISO weekday digits ("12345") as words: every day, Mon–Fri, or the days listed."""
    digits = "".join(sorted(set(digits or "")))
    if digits == "1234567":
        return _("Every day")
    if digits == "12345":
        return _("Mon–Fri")
    if digits == "67":
        return _("Weekends")
    return ", ".join(str(WEEKDAYS_ABBR[int(d) - 1]) for d in digits if d in "1234567")


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    if not value:
        return 0
    return int(value.total_seconds() // 60)


@register.filter
def in_set(value: Any, container: Any) -> bool:
    return value in container
