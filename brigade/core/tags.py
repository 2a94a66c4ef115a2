"""Small template helpers of every page (loaded as ``{% load brigade_tags %}``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import template
from django.forms import BaseForm, BoundField
from django.template import Context, Engine
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from brigade.core import geo
from brigade.core.privacy import mask_phone

register = template.Library()


@register.simple_tag
def map_config() -> dict[str, object]:
    """The maps' tile server, attribution and opening centre (``geo.map_config``), for a
    partial that draws a map: ``{% map_config as config %}``."""
    return geo.map_config()


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


@register.simple_tag
def week_query(week: Any = None, unit: Any = None) -> str:
    """The query string of a week page's link ("?week=…&unit=…"), leaving out what is empty."""
    params = {
        key: value for key, value in (("week", week), ("unit", unit)) if value not in (None, "")
    }
    return f"?{urlencode(params)}"


@register.simple_block_tag(takes_context=True)
def form_card(
    context: Context,
    content: SafeString,
    *,
    title: str,
    action: str,
    form: BaseForm,
    form_id: str,
    heading_id: str,
    heading_class: str = "h6",
    icon: str = "",
) -> SafeString:
    """A card holding one posted form: its heading, then the form with its CSRF token and
    non-field errors before ``content`` (the tag's body: the fields and the button)."""
    card = Engine.get_default().get_template("partials/form_card.html")
    with context.push(
        content=content,
        title=title,
        action=action,
        form=form,
        form_id=form_id,
        heading_id=heading_id,
        heading_class=heading_class,
        icon=icon,
    ):
        return card.render(context)


@register.filter
def pick(form: BaseForm, names: str) -> list[BoundField]:
    """The fields of ``form`` named in ``names`` (space-separated), in that order."""
    return [form[name] for name in names.split()]


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


@register.filter
def masked_phone(value: Any) -> str:
    """A phone number of the public as every page shows it (``brigade.core.privacy``)."""
    return mask_phone(str(value or ""))
