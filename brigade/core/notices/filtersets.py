"""The filters of a person's notices, shared by the API (``?unread=1&kind=reminder``) and
the notices page."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from brigade.core.filters import FilterSet
from brigade.core.notices.models import Notice, NoticeKind

# "1": unread only, "0": read only (a plain query parameter, as a link writes it)
READ_STATES = [("1", _("Unread")), ("0", _("Read"))]


class NoticeFilterSet(FilterSet):
    unread = filters.ChoiceFilter(choices=READ_STATES, method="filter_unread", label=_("Status"))
    kind = filters.ChoiceFilter(choices=NoticeKind.choices, label=_("Kind"))

    class Meta:
        model = Notice
        fields = ["unread", "kind"]

    def filter_unread(self, queryset: QuerySet[Notice], name: str, value: Any) -> Any:
        return queryset.filter(read_at__isnull=value == "1")
