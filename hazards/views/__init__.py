"""Pages of the hazards app: thin views over the querysets (reads) and services (writes).

Lists are scoped with ``visible_to(request.user)`` and filtered with the shared FilterSets;
a service's ValidationError becomes form errors, its TransitionNotAllowed a message. One
module per page family; the names urls.py mounts are re-exported here.
"""

from hazards.views.common import chooser_units, own_unit, unit_for
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
