"""The project's URLs plus ``/bench/tickets/``: a hand-written twin of the ticket list API
(``/api/v1/petitions/tickets/``) for its benchmark. Same query (the user's visible
tickets with their category, unit and handler, newest first), same authentication (the
API's token and session classes), same role permission, same pagination (the API's page
size and its COUNT of the visible tickets), the citizen masked the same way; the rows
are taken with ``values()`` and written with ``json.dumps``: what the API costs without
DRF's serializers, filter backends and renderers. Benchmark only."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from brigade.core.api.mixins import PageSizePagination
from brigade.core.permissions import RolePermission
from brigade.core.privacy import mask_name, mask_phone
from brigade.urls import urlpatterns as project_urlpatterns
from petitions.models import Ticket
from petitions.roles import ALL_ROLES

FIELDS = (
    "id",
    "number",
    "channel",
    "received_at",
    "citizen_name",
    "citizen_phone",
    "category_id",
    "category__name",
    "content",
    "location",
    "unit_id",
    "unit__name",
    "handler_id",
    "handler__name",
    "handler__badge_no",
    "status",
    "round",
    "sign_due",
    "reply_due",
    "close_due",
    "next_due",
    "signed_at",
    "replied_at",
    "reply",
    "closed_at",
    "closed_on_time",
    "returned_at",
    "return_reason",
    "reopened_at",
    "created_at",
    "updated_at",
)


class TwinTicketList(APIView):
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES

    def get(self, request: Request) -> HttpResponse:
        tickets = Ticket.objects.visible_to(request.user).order_by("-received_at", "-pk")
        # the API's page numbers and sizes, the count taken on the tickets alone (as the
        # API's paginator does: a count of the joined values() would join for nothing)
        paginator = PageSizePagination()
        size = paginator.get_page_size(request) or 50
        number = int(request.query_params.get("page", 1))
        count = tickets.count()
        offset = (number - 1) * size
        rows: list[dict[str, Any]] = list(tickets.values(*FIELDS)[offset : offset + size])
        for row in rows:
            row["citizen_name"] = mask_name(row["citizen_name"])
            row["citizen_phone"] = mask_phone(row["citizen_phone"])
        url = request.build_absolute_uri()
        body = {
            "count": count,
            "next": replace_query_param(url, "page", number + 1) if offset + size < count else None,
            "previous": None
            if number == 1
            else remove_query_param(url, "page")
            if number == 2
            else replace_query_param(url, "page", number - 1),
            "results": rows,
        }
        return HttpResponse(json.dumps(body, default=str), content_type="application/json")


urlpatterns = [
    path("bench/tickets/", TwinTicketList.as_view(), name="bench-tickets"),
    *project_urlpatterns,
]
