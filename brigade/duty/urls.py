"""Pages of the duty domain (namespace ``brigade``), mounted at the site's root.

Names follow ``brigade:<model>_<action>``: the duty page itself is ``brigade:duty``.
"""

from django.urls import path

from brigade.duty import views

app_name = "brigade"

urlpatterns = [
    path("duty/", views.DutyView.as_view(), name="duty"),
    path("duty/start/", views.PatrolStartView.as_view(), name="patrollog_start"),
    path("duty/<int:pk>/tally/", views.PatrolTallyView.as_view(), name="patrollog_tally"),
    path("duty/<int:pk>/check-in/", views.PatrolCheckInView.as_view(), name="patrollog_check_in"),
    path("duty/<int:pk>/details/", views.PatrolDetailsView.as_view(), name="patrollog_update"),
    path("duty/<int:pk>/end/", views.PatrolEndView.as_view(), name="patrollog_end"),
    path("patrols/", views.PatrolListView.as_view(), name="patrollog_list"),
    path("patrols/<int:pk>/", views.PatrolDetailView.as_view(), name="patrollog_detail"),
    path("posts/", views.PostListView.as_view(), name="dutypost_list"),
    path("zones/", views.ZoneListView.as_view(), name="roadworkszone_list"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("trainings/", views.TrainingListView.as_view(), name="trainingsession_list"),
    path(
        "trainings/<int:pk>/",
        views.TrainingDetailView.as_view(),
        name="trainingsession_detail",
    ),
]
