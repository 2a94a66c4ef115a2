"""Admin of the outreach app: reference data and corrections, with history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outreach import models


@admin.register(models.OutreachCampaign)
class OutreachCampaignAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "name_en",
        "partner",
        "unit",
        "starts_on",
        "ends_on",
        "goal_kind",
        "goal_target",
    )
    list_filter = ("goal_kind", "unit")
    search_fields = ("name", "name_en", "partner")


class EventPhotoInline(admin.TabularInline):
    model = models.EventPhoto
    extra = 0
    fields = ("photo", "caption", "uploaded_by")
    readonly_fields = ("uploaded_by",)


@admin.register(models.PublicityEvent)
class PublicityEventAdmin(SimpleHistoryAdmin):
    list_display = ("held_on", "venue_kind", "venue_name", "topic", "unit", "audience")
    list_filter = ("venue_kind", "unit", "campaign")
    search_fields = ("venue_name", "topic")
    date_hierarchy = "held_on"
    filter_horizontal = ("officers",)
    readonly_fields = ("recorded_by",)
    inlines = [EventPhotoInline]


@admin.register(models.LoveStation)
class LoveStationAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "name_en",
        "unit",
        "location",
        "opening_hours",
        "opened_on",
        "is_active",
    )
    list_filter = ("unit", "is_active")
    search_fields = ("name", "name_en", "location")


@admin.register(models.StationVisitDay)
class StationVisitDayAdmin(SimpleHistoryAdmin):
    list_display = ("station", "day", "visits")
    list_filter = ("station",)
    date_hierarchy = "day"


@admin.register(models.AssistanceEvent)
class AssistanceEventAdmin(SimpleHistoryAdmin):
    list_display = ("occurred_at", "kind", "location", "outcome", "unit")
    list_filter = ("kind", "unit")
    search_fields = ("location", "outcome", "description")
    date_hierarchy = "occurred_at"
    filter_horizontal = ("officers",)
    readonly_fields = ("recorded_by",)


@admin.register(models.Commendation)
class CommendationAdmin(SimpleHistoryAdmin):
    list_display = ("received_on", "kind", "giver", "officer", "recipient_unit", "unit")
    list_filter = ("kind", "unit")
    search_fields = ("giver", "wording")
    date_hierarchy = "received_on"
    readonly_fields = ("recorded_by",)
