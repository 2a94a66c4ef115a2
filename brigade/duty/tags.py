"""Template helpers of the duty pages (loaded with the others as ``{% load brigade_tags %}``)."""

from __future__ import annotations

from django import template

from brigade.duty.choices import ViolationKind

register = template.Library()


@register.filter
def violation_label(kind: str) -> str:
    return str(ViolationKind(kind).label) if kind in ViolationKind.values else kind
