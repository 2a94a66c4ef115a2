"""Pages of the outreach app, mounted at /outreach/ (namespace ``outreach``)."""

from django.urls import URLPattern, path
from django.views import View

from outreach import views

app_name = "outreach"


def _record_pages(
    prefix: str, name: str, listing: type[View], form: type[View], detail: type[View]
) -> list[URLPattern]:
    """A record's list, its "new" form, its page and (the same form) its "edit" page."""
    return [
        path(f"{prefix}/", listing.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", form.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    *_record_pages(
        "events", "publicityevent", views.EventListView, views.EventFormView, views.EventDetailView
    ),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="eventphoto_file"),
    *_record_pages(
        "assistance",
        "assistanceevent",
        views.AssistanceListView,
        views.AssistanceFormView,
        views.AssistanceDetailView,
    ),
    *_record_pages(
        "campaigns",
        "outreachcampaign",
        views.CampaignListView,
        views.CampaignFormView,
        views.CampaignDetailView,
    ),
    *_record_pages(
        "love-stations",
        "lovestation",
        views.StationListView,
        views.StationFormView,
        views.StationDetailView,
    ),
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
