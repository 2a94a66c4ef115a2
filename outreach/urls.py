"""Pages of the outreach app, mounted at /outreach/ (namespace ``outreach``)."""

from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/new/", views.EventCreateView.as_view(), name="event_create"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event_detail"),
    path("events/<int:pk>/edit/", views.EventEditView.as_view(), name="event_edit"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("assistance/", views.AssistanceListView.as_view(), name="assistance_list"),
    path("assistance/new/", views.AssistanceCreateView.as_view(), name="assistance_create"),
    path("assistance/<int:pk>/", views.AssistanceDetailView.as_view(), name="assistance_detail"),
    path("assistance/<int:pk>/edit/", views.AssistanceEditView.as_view(), name="assistance_edit"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignFormView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignFormView.as_view(), name="campaign_edit"),
    path("love-stations/", views.StationListView.as_view(), name="station_list"),
    path("love-stations/new/", views.StationFormView.as_view(), name="station_create"),
    path("love-stations/<int:pk>/", views.StationDetailView.as_view(), name="station_detail"),
    path("love-stations/<int:pk>/edit/", views.StationFormView.as_view(), name="station_edit"),
    path("love-stations/<int:pk>/tally/", views.StationTallyView.as_view(), name="station_tally"),
    path("commendations/", views.CommendationListView.as_view(), name="commendation_list"),
    path("commendations/new/", views.CommendationCreateView.as_view(), name="commendation_create"),
    path(
        "commendations/<int:pk>/",
        views.CommendationDetailView.as_view(),
        name="commendation_detail",
    ),
    path(
        "commendations/<int:pk>/photo/",
        views.CommendationPhotoView.as_view(),
        name="commendation_photo",
    ),
    path("officers/<int:pk>/", views.OfficerOutreachView.as_view(), name="officer_detail"),
    path("units/<int:pk>/", views.UnitOutreachView.as_view(), name="unit_detail"),
]
