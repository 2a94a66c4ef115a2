"""Pages of the outreach app, mounted at /outreach/ (namespace ``outreach``)."""

from django.urls import URLPattern, path
from django.views import View

from brigade.core.urls import model_pages
from outreach import views

app_name = "outreach"


def _record_pages(
    model: str, prefix: str, listing: type[View], form: type[View], detail: type[View]
) -> list[URLPattern]:
    """A record's list, its "new" form, its page and (the same form) its "edit" page."""
    return model_pages(
        model, prefix, {"list": listing, "create": form, "detail": detail, "edit": form}
    )


urlpatterns = [
    *_record_pages(
        "publicityevent",
        "events/",
        views.EventListView,
        views.EventFormView,
        views.EventDetailView,
    ),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="eventphoto_file"),
    *_record_pages(
        "assistanceevent",
        "assistance/",
        views.AssistanceListView,
        views.AssistanceFormView,
        views.AssistanceDetailView,
    ),
    *_record_pages(
        "outreachcampaign",
        "campaigns/",
        views.CampaignListView,
        views.CampaignFormView,
        views.CampaignDetailView,
    ),
    *_record_pages(
        "lovestation",
        "love-stations/",
        views.StationListView,
        views.StationFormView,
        views.StationDetailView,
    ),
    *model_pages("lovestation", "love-stations/", {"tally": views.StationTallyView}),
    *model_pages(
        "commendation",
        "commendations/",
        {
            "list": views.CommendationListView,
            "create": views.CommendationCreateView,
            "detail": views.CommendationDetailView,
            "photo": views.CommendationPhotoView,
        },
    ),
    path("officers/<int:pk>/", views.OfficerOutreachView.as_view(), name="officer_detail"),
    path("units/<int:pk>/", views.UnitOutreachView.as_view(), name="unit_detail"),
]
