"""Pages of the hazards app: thin views over the querysets (reads) and services (writes).

Lists are scoped with ``visible_to(request.user)`` and filtered with the shared FilterSets;
a service's ValidationError becomes form errors, its TransitionNotAllowed a message. One
module per page family; the names urls.py mounts are re-exported here.

The links to other apps' records that the design names (a hazard's source accident or
ticket) are read here, where the architecture contract allows them.
"""

from __future__ import annotations

from django.db.models import Model
from django.shortcuts import get_object_or_404

from hazards.choices import HazardSource
from hazards.views.common import RequestUser, chooser_units, own_unit, unit_for
from hazards.views.facility_works import FacilityWorkCreateView, FacilityWorkListView
from hazards.views.hazard_detail import (
    HISTORY_FIELDS,
    LINK_DESCRIBERS,
    HazardActionView,
    HazardAssignView,
    HazardDetailView,
    HazardDuplicateView,
    HazardEditView,
    HazardFailCheckView,
    HazardPhotosView,
    HazardRectifyView,
    HazardRejectView,
    HazardStartView,
    HazardVerifyView,
    PhotoView,
    hazard_actions,
    hazard_history,
    source_links,
)
from hazards.views.hazard_list import LINK_FINDERS, HazardListView, HazardReportView
from hazards.views.hazard_map import HazardMapPointsView, HazardMapView, map_points
from hazards.views.key_vehicles import (
    VEHICLE_HISTORY_FIELDS,
    KeyVehicleClearView,
    KeyVehicleDetailView,
    KeyVehicleImportView,
    KeyVehicleListView,
)


def _raised_from(
    record: Model, source: HazardSource, copied: dict[str, str]
) -> tuple[Model, dict[str, object]]:
    """The record, and the initial values of a hazard raised from it: its source, and
    ``copied`` (hazard field → the record's attribute)."""
    initial = {field: getattr(record, attribute) for field, attribute in copied.items()}
    return record, {"source": source, **initial}


def _accident(user: RequestUser, pk: str) -> tuple[Model, dict[str, object]]:
    from incidents.models import Accident

    accident = get_object_or_404(Accident.objects.visible_to(user), pk=pk)
    return _raised_from(
        accident,
        HazardSource.ACCIDENT,
        {
            "unit": "unit_id",
            "road": "road",
            "location": "place",
            "latitude": "latitude",
            "longitude": "longitude",
        },
    )


def _ticket(user: RequestUser, pk: str) -> tuple[Model, dict[str, object]]:
    from petitions.models import Ticket

    ticket = get_object_or_404(Ticket.objects.visible_to(user), pk=pk)
    return _raised_from(
        ticket,
        HazardSource.TICKET,
        {"unit": "unit_id", "location": "location", "description": "content"},
    )


LINK_FINDERS.update(accident=_accident, ticket=_ticket)

__all__ = [
    "HISTORY_FIELDS",
    "LINK_DESCRIBERS",
    "LINK_FINDERS",
    "VEHICLE_HISTORY_FIELDS",
    "FacilityWorkCreateView",
    "FacilityWorkListView",
    "HazardActionView",
    "HazardAssignView",
    "HazardDetailView",
    "HazardDuplicateView",
    "HazardEditView",
    "HazardFailCheckView",
    "HazardListView",
    "HazardMapPointsView",
    "HazardMapView",
    "HazardPhotosView",
    "HazardRectifyView",
    "HazardRejectView",
    "HazardReportView",
    "HazardStartView",
    "HazardVerifyView",
    "KeyVehicleClearView",
    "KeyVehicleDetailView",
    "KeyVehicleImportView",
    "KeyVehicleListView",
    "PhotoView",
    "chooser_units",
    "hazard_actions",
    "hazard_history",
    "map_points",
    "own_unit",
    "source_links",
    "unit_for",
]
