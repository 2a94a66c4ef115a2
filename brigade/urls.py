"""Root URLs: the admin, the API (brigade/api/urls.py), and the brigade's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from brigade.core.dashboard import views as dashboard
from brigade.core.dashboard.record_views import FigureRecordsView
from brigade.core.health import healthz
from brigade.core.report.views import ReportPageView
from brigade.core.views import HomeView
from brigade.duty import views

# Django's error views, in JSON under the API's prefixes (brigade/core/api/handlers.py).
handler400 = "brigade.core.api.handlers.bad_request"
handler403 = "brigade.core.api.handlers.permission_denied"
handler404 = "brigade.core.api.handlers.page_not_found"
handler500 = "brigade.core.api.handlers.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("brigade.api.urls")),
    path("open311/v2/", include("petitions.api.open311_urls")),
    path("healthz/", healthz, name="healthz"),
    # --- pages of the brigade app (views in brigade/duty/views.py) ---
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", HomeView.as_view(), name="home"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path(
        "dashboard/recompute/",
        dashboard.DashboardRecomputeView.as_view(),
        name="dashboard_recompute",
    ),
    path(
        "dashboard/recompute/<uuid:pk>/", dashboard.DashboardRunView.as_view(), name="dashboard_run"
    ),
    path("dashboard/records/", FigureRecordsView.as_view(), name="dashboard_records"),
    path("report/", ReportPageView.as_view(), name="period_report"),
    path("duty/", views.DutyView.as_view(), name="duty"),
    path("duty/start/", views.PatrolStartView.as_view(), name="patrol_start"),
    path("duty/<int:pk>/tally/", views.PatrolTallyView.as_view(), name="patrol_tally"),
    path("duty/<int:pk>/check-in/", views.PatrolCheckInView.as_view(), name="patrol_check_in"),
    path("duty/<int:pk>/details/", views.PatrolDetailsView.as_view(), name="patrol_details"),
    path("duty/<int:pk>/end/", views.PatrolEndView.as_view(), name="patrol_end"),
    path("patrols/", views.PatrolListView.as_view(), name="patrol_list"),
    path("patrols/<int:pk>/", views.PatrolDetailView.as_view(), name="patrol_detail"),
    path("posts/", views.PostListView.as_view(), name="post_list"),
    path("zones/", views.ZoneListView.as_view(), name="zone_list"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    # --- one block per app (each app's urls.py, its own namespace) ---
    path("hazards/", include("hazards.urls")),
    path("incidents/", include("incidents.urls")),
    path("petitions/", include("petitions.urls")),
    path("outreach/", include("outreach.urls")),
]
