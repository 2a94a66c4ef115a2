"""Pages of the outreach app, mounted at /outreach/ (namespace ``outreach``)."""

from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="publicityevent_list"),
    path("events/new/", views.EventCreateView.as_view(), name="publicityevent_create"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="publicityevent_detail"),
    path("events/<int:pk>/edit/", views.EventEditView.as_view(), name="publicityevent_edit"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="eventphoto_file"),
    path("assistance/", views.AssistanceListView.as_view(), name="assistanceevent_list"),
    path("assistance/new/", views.AssistanceCreateView.as_view(), name="assistanceevent_create"),
    path(
        "assistance/<int:pk>/", views.AssistanceDetailView.as_view(), name="assistanceevent_detail"
    ),
    path(
        "assistance/<int:pk>/edit/", views.AssistanceEditView.as_view(), name="assistanceevent_edit"
    ),
    path("campaigns/", views.CampaignListView.as_view(), name="outreachcampaign_list"),
    path("campaigns/new/", views.CampaignFormView.as_view(), name="outreachcampaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="outreachcampaign_detail"),
    path(
        "campaigns/<int:pk>/edit/", views.CampaignFormView.as_view(), name="outreachcampaign_edit"
    ),
    path("love-stations/", views.StationListView.as_view(), name="lovestation_list"),
    path("love-stations/new/", views.StationFormView.as_view(), name="lovestation_create"),
    path("love-stations/<int:pk>/", views.StationDetailView.as_view(), name="lovestation_detail"),
    path("love-stations/<int:pk>/edit/", views.StationFormView.as_view(), name="lovestation_edit"),
    path(
        "love-stations/<int:pk>/tally/", views.StationTallyView.as_view(), name="lovestation_tally"
    ),
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
