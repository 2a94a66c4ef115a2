"""Pages of the duty domain (namespace ``brigade``), mounted at the site's root.

Names follow ``brigade:<model>_<action>``: the duty page itself is ``brigade:duty``.
"""

from django.urls import path

from brigade.core.urls import model_pages
from brigade.duty import offline, views

app_name = "brigade"

urlpatterns = [
    path("duty/", views.DutyView.as_view(), name="duty"),
    # the duty page as an installable app that works offline (brigade/duty/offline.py)
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("icons/app-<int:size>.png", offline.app_icon, name="app_icon"),
    path("duty/start/", views.PatrolStartView.as_view(), name="patrollog_start"),
    *model_pages(
        "patrollog", "duty/", {"tally": views.PatrolTallyView, "check_in": views.PatrolCheckInView}
    ),
    path("duty/<int:pk>/details/", views.PatrolDetailsView.as_view(), name="patrollog_update"),
    *model_pages("patrollog", "duty/", {"end": views.PatrolEndView}),
    *model_pages(
        "patrollog", "patrols/", {"list": views.PatrolListView, "detail": views.PatrolDetailView}
    ),
    *model_pages("dutypost", "posts/", {"list": views.PostListView}),
    *model_pages("roadworkszone", "zones/", {"list": views.ZoneListView}),
    *model_pages("campaign", "campaigns/", {"list": views.CampaignListView}),
    *model_pages(
        "trainingsession",
        "trainings/",
        {"list": views.TrainingListView, "detail": views.TrainingDetailView},
    ),
]
