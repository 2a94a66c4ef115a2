"""The ``brigade_tags`` template library: the core's helpers (the notices' too) and the duty
domain's."""

from django import template

from brigade.core import tags as core_tags
from brigade.core.notices import tags as notices_tags
from brigade.duty import tags as duty_tags

register = template.Library()
for library in (core_tags.register, notices_tags.register, duty_tags.register):
    register.tags.update(library.tags)
    register.filters.update(library.filters)
