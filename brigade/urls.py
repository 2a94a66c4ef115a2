"""Root URLs: the admin, the API (brigade/api/urls.py), and the brigade's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from brigade.core.dashboard import views as dashboard
from brigade.core.dashboard.record_views import FigureRecordsView
from brigade.core.favicon import favicon
from brigade.core.health import healthz
from brigade.core.report.views import ReportPageView
from brigade.core.reveal_log import RevealLogListView
from brigade.core.views import HomeView, LogoutView

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
    path("favicon.ico", favicon, name="favicon"),
    # --- the core's own pages: not about one model, they keep plain names at the root ---
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
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
    path("audit/phone-views/", RevealLogListView.as_view(), name="reveal_log"),
    path("notices/", include("brigade.core.notices.urls")),
    # --- the duty domain: patrols, posts, zones, campaigns, training (namespace ``brigade``) ---
    path("", include("brigade.duty.urls")),
    # --- one block per app (each app's urls.py, its own namespace) ---
    path("hazards/", include("hazards.urls")),
    path("incidents/", include("incidents.urls")),
    path("petitions/", include("petitions.urls")),
    path("outreach/", include("outreach.urls")),
]
