"""Pages of the outreach app: thin views over the querysets (reads) and services (writes).

Lists are scoped with ``visible_to(request.user)``, filtered with the app's FilterSets and
exportable to Excel; the officers' forms (an event, an assistance) are one phone screen.
"""

from outreach.views.assistance import AssistanceDetailView, AssistanceFormView, AssistanceListView
from outreach.views.campaigns import (
    CampaignDetailView,
    CampaignFormView,
    CampaignListView,
    ReferenceFormView,
)
from outreach.views.commendations import (
    CommendationCreateView,
    CommendationDetailView,
    CommendationListView,
    CommendationPhotoView,
)
from outreach.views.common import RECENT, OutreachListView, RecordFormView, history_entries
from outreach.views.events import EventDetailView, EventFormView, EventListView, PhotoView
from outreach.views.people import OfficerOutreachView, UnitOutreachView
from outreach.views.stations import (
    StationDetailView,
    StationFormView,
    StationListView,
    StationTallyView,
)

__all__ = [
    "RECENT",
    "AssistanceDetailView",
    "AssistanceFormView",
    "AssistanceListView",
    "CampaignDetailView",
    "CampaignFormView",
    "CampaignListView",
    "CommendationCreateView",
    "CommendationDetailView",
    "CommendationListView",
    "CommendationPhotoView",
    "EventDetailView",
    "EventFormView",
    "EventListView",
    "OfficerOutreachView",
    "OutreachListView",
    "PhotoView",
    "RecordFormView",
    "ReferenceFormView",
    "StationDetailView",
    "StationFormView",
    "StationListView",
    "StationTallyView",
    "UnitOutreachView",
    "history_entries",
]
