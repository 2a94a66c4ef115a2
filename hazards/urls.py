"""Pages of the hazards app, mounted at /hazards/ (namespace ``hazards``)."""

from django.urls import path

from hazards import views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="hazard_list"),
    path("report/", views.HazardReportView.as_view(), name="hazard_report"),
    path("map/", views.HazardMapView.as_view(), name="hazard_map"),
    path("map/points/", views.HazardMapPointsView.as_view(), name="hazard_map_points"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="hazard_detail"),
    path("<int:pk>/edit/", views.HazardEditView.as_view(), name="hazard_edit"),
    path("<int:pk>/assign/", views.HazardAssignView.as_view(), name="hazard_assign"),
    path("<int:pk>/start/", views.HazardStartView.as_view(), name="hazard_start"),
    path("<int:pk>/rectify/", views.HazardRectifyView.as_view(), name="hazard_rectify"),
    path("<int:pk>/photos/", views.HazardPhotosView.as_view(), name="hazard_photos"),
    path("<int:pk>/verify/", views.HazardVerifyView.as_view(), name="hazard_verify"),
    path("<int:pk>/fail-check/", views.HazardFailCheckView.as_view(), name="hazard_fail_check"),
    path("<int:pk>/reject/", views.HazardRejectView.as_view(), name="hazard_reject"),
    path("<int:pk>/duplicate/", views.HazardDuplicateView.as_view(), name="hazard_duplicate"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="hazardphoto_file"),
    path("key-vehicles/", views.KeyVehicleListView.as_view(), name="keyvehicle_list"),
    path("key-vehicles/import/", views.KeyVehicleImportView.as_view(), name="keyvehicle_import"),
    path("key-vehicles/<int:pk>/", views.KeyVehicleDetailView.as_view(), name="keyvehicle_detail"),
    path(
        "key-vehicles/<int:pk>/clear/", views.KeyVehicleClearView.as_view(), name="keyvehicle_clear"
    ),
    path("facility-works/", views.FacilityWorkListView.as_view(), name="facilitywork_list"),
    path("facility-works/new/", views.FacilityWorkCreateView.as_view(), name="facilitywork_create"),
]
