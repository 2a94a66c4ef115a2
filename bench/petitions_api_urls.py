"""The project's URLs plus ``/bench/tickets/``: a hand-written twin of the ticket list API
(``/api/v1/petitions/tickets/``) for its benchmark. Same query (the user's visible
tickets with their category, unit and handler, newest first), same authentication (the
API's token and session classes), same role permission, same pagination (the API's page
size and its COUNT), the citizen masked the same way; the rows are taken with
``values()`` and written with ``json.dumps``: what the API costs without DRF's
serializers, filter backends and renderers. Benchmark only."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.views import APIView

from brigade.api.mixins import PageSizePagination
from brigade.permissions import RolePermission
from brigade.urls import urlpatterns as project_urlpatterns
from petitions.masking import mask_name, mask_phone
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
        queryset = (
            Ticket.objects.visible_to(request.user).order_by("-received_at", "-pk").values(*FIELDS)
        )
        paginator = PageSizePagination()
        rows: list[dict[str, Any]] = paginator.paginate_queryset(queryset, request, view=self) or []
        for row in rows:
            row["citizen_name"] = mask_name(row["citizen_name"])
            row["citizen_phone"] = mask_phone(row["citizen_phone"])
        assert paginator.page is not None
        body = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": rows,
        }
        return HttpResponse(json.dumps(body, default=str), content_type="application/json")


urlpatterns = [
    path("bench/tickets/", TwinTicketList.as_view(), name="bench-tickets"),
    *project_urlpatterns,
]
