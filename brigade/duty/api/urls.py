"""The duty domain's API, mounted at /api/v1/brigade/ (namespace ``brigade-api``)."""

from brigade.core.urls import api_routes
from brigade.duty.api import views

urlpatterns = api_routes(
    {
        "units": views.UnitViewSet,
        "officers": views.OfficerViewSet,
        "posts": views.DutyPostViewSet,
        "shifts": views.ShiftViewSet,
        "patrols": views.PatrolViewSet,
        "campaigns": views.CampaignViewSet,
        "zones": views.RoadWorksZoneViewSet,
        "trainings": views.TrainingSessionViewSet,
        "attendances": views.AttendanceViewSet,
        "school-breaks": views.SchoolBreakViewSet,
        "places": views.PlaceViewSet,
    }
)
