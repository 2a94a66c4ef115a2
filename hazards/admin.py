"""Admin of the hazards app: every model with its history (simple-history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hazards.models import (
    FacilityWork,
    Hazard,
    HazardCheck,
    HazardPhoto,
    KeyVehicle,
    KeyVehicleImport,
)


class PhotoInline(admin.TabularInline):
    model = HazardPhoto
    extra = 0
    fields = ("stage", "file", "uploaded_by", "created_at")
    readonly_fields = ("created_at",)


class CheckInline(admin.TabularInline):
    model = HazardCheck
    extra = 0
    fields = ("result", "reason", "checked_by", "checked_at")
    readonly_fields = fields  # a check is made on the hazard's page or through the API

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hazard)
class HazardAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "road", "element", "severity", "status", "unit", "found_at", "deadline")
    list_filter = ("status", "element", "severity", "source", "unit")
    search_fields = ("road", "location", "description", "responsible_party")
    date_hierarchy = "found_at"
    raw_id_fields = ("patrol", "duplicate_of", "reported_by")
    inlines = [PhotoInline, CheckInline]
    # the workflow moves only through the services: who rectified and who verified (four
    # eyes) is shown, never edited here
    readonly_fields = (
        "status",
        "rectified_at",
        "rectified_by",
        "verified_at",
        "verified_by",
        "verified_by_second_approver",
        "closed_at",
    )


@admin.register(KeyVehicle)
class KeyVehicleAdmin(SimpleHistoryAdmin):
    list_display = ("plate", "kind", "owner", "reason", "status", "unit", "cleared_at")
    list_filter = ("status", "reason", "kind", "unit")
    search_fields = ("plate", "owner")


@admin.register(KeyVehicleImport)
class KeyVehicleImportAdmin(SimpleHistoryAdmin):
    list_display = (
        "created_at",
        "unit",
        "imported_by",
        "file_name",
        "total",
        "created",
        "reopened",
    )
    list_filter = ("unit",)


@admin.register(FacilityWork)
class FacilityWorkAdmin(SimpleHistoryAdmin):
    list_display = ("done_on", "kind", "quantity", "place", "unit", "hazard")
    list_filter = ("kind", "unit")
    search_fields = ("place", "notes")
    date_hierarchy = "done_on"
    raw_id_fields = ("hazard",)
