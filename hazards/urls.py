"""Pages of the hazards app, mounted at /hazards/ (namespace ``hazards``)."""

from django.urls import path

from brigade.core.urls import model_pages
from hazards import views

app_name = "hazards"

urlpatterns = [
    *model_pages(
        "hazard",
        "",
        {
            "list": views.HazardListView,
            "report": ("report/", views.HazardReportView),
            "map": ("map/", views.HazardMapView),
            "map_points": ("map/points/", views.HazardMapPointsView),
            "detail": views.HazardDetailView,
            "edit": views.HazardEditView,
            "assign": views.HazardAssignView,
            "start": views.HazardStartView,
            "rectify": views.HazardRectifyView,
            "photos": views.HazardPhotosView,
            "verify": views.HazardVerifyView,
            "fail_check": views.HazardFailCheckView,
            "reject": views.HazardRejectView,
            "duplicate": views.HazardDuplicateView,
        },
    ),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="hazardphoto_file"),
    *model_pages(
        "keyvehicle",
        "key-vehicles/",
        {
            "list": views.KeyVehicleListView,
            "import": ("import/", views.KeyVehicleImportView),
            "detail": views.KeyVehicleDetailView,
            "clear": views.KeyVehicleClearView,
        },
    ),
    *model_pages(
        "facilitywork",
        "facility-works/",
        {"list": views.FacilityWorkListView, "create": views.FacilityWorkCreateView},
    ),
]
