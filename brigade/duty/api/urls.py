"""The duty domain's API, mounted at /api/v1/brigade/ (namespace ``brigade-api``)."""

from rest_framework.routers import DefaultRouter

from brigade.duty.api import views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("officers", views.OfficerViewSet, basename="officer")
router.register("posts", views.DutyPostViewSet, basename="post")
router.register("shifts", views.ShiftViewSet, basename="shift")
router.register("patrols", views.PatrolViewSet, basename="patrol")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("zones", views.RoadWorksZoneViewSet, basename="zone")
router.register("trainings", views.TrainingSessionViewSet, basename="training")
router.register("attendances", views.AttendanceViewSet, basename="attendance")
router.register("school-breaks", views.SchoolBreakViewSet, basename="school-break")

urlpatterns = router.urls
