"""The admin's screens: units, officers, posts, shifts, campaigns, zones, places, training."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models as db_models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from brigade.duty import models
from brigade.duty.services import shift_check, shift_save


@admin.register(models.Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "name_en", "kind", "has_robot"]
    # a group robot's address typed without a scheme is an https one (Django 6's default)
    formfield_overrides = {db_models.URLField: {"assume_scheme": "https"}}
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "code"]

    # the group robot's address (robot_webhook_url) is on the unit's form; the list says
    # which units have one (escalations and the digest are posted there)
    @admin.display(description=_("Group robot"), boolean=True)
    def has_robot(self, unit: models.Unit) -> bool:
        return bool(unit.robot_webhook_url)


@admin.register(models.Officer)
class OfficerAdmin(SimpleHistoryAdmin):
    list_display = ["badge_no", "name", "kind", "unit", "motorcycle_certified", "is_active"]
    list_filter = ["unit", "kind", "motorcycle_certified", "is_active"]
    search_fields = ["badge_no", "name", "user__username"]
    list_select_related = ["unit"]
    raw_id_fields = ["user"]


@admin.register(models.Leave)
class LeaveAdmin(SimpleHistoryAdmin):
    list_display = ["officer", "starts_on", "ends_on", "reason"]
    list_filter = ["officer__unit"]
    search_fields = ["officer__name", "officer__badge_no", "reason"]
    list_select_related = ["officer"]
    raw_id_fields = ["officer"]
    date_hierarchy = "starts_on"


@admin.register(models.DutyPost)
class DutyPostAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "name_en",
        "unit",
        "kind",
        "start_time",
        "end_time",
        "weekdays",
        "is_active",
    ]
    list_filter = ["unit", "kind", "is_active"]
    search_fields = ["name", "name_en", "location"]
    list_select_related = ["unit"]


class ShiftAdminForm(forms.ModelForm):
    class Meta:
        model = models.Shift
        fields = ["officer", "post", "starts_at", "ends_at", "duty"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(f) for f in ("officer", "starts_at", "ends_at")):
            # The service's own rule, shown as form errors instead of a crash on save.
            shift_check(
                officer=data["officer"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                exclude_pk=self.instance.pk,
            )
        return data


@admin.register(models.Shift)
class ShiftAdmin(SimpleHistoryAdmin):
    form = ShiftAdminForm
    list_display = ["officer", "post", "unit", "starts_at", "ends_at"]
    list_filter = ["unit", "post__kind"]
    date_hierarchy = "starts_at"
    search_fields = ["officer__name", "officer__badge_no", "post__name"]
    list_select_related = ["officer", "post", "unit"]
    autocomplete_fields = ["officer", "post"]
    readonly_fields = ["unit"]

    def save_model(
        self, request: HttpRequest, obj: models.Shift, form: forms.ModelForm, change: bool
    ) -> None:
        # the form's fields are what the service takes
        fields = {name: getattr(obj, name) for name in ShiftAdminForm.Meta.fields}
        shift_save(**fields, shift=obj if change else None)


@admin.register(models.Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_en", "starts_on", "ends_on"]
    search_fields = ["name", "name_en"]


@admin.register(models.RoadWorksZone)
class RoadWorksZoneAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_en", "road", "unit", "starts_on", "ends_on", "extra_officers"]
    list_filter = ["unit"]
    search_fields = ["name", "name_en", "road"]


@admin.register(models.Place)
class PlaceAdmin(SimpleHistoryAdmin):
    # a road given by its line alone takes the line's midpoint as its point (Place.clean)
    fields = ["name", "name_en", "kind", "latitude", "longitude", "line", "unit", "is_active"]
    list_display = ["name", "name_en", "kind", "latitude", "longitude", "unit", "is_active"]
    list_filter = ["kind", "is_active", "unit"]
    search_fields = ["name", "name_en"]
    list_select_related = ["unit"]


@admin.register(models.SchoolBreak)
class SchoolBreakAdmin(SimpleHistoryAdmin):
    list_display = ["name", "starts_on", "ends_on"]


class ViolationTallyInline(admin.TabularInline):
    model = models.ViolationTally
    extra = 0


@admin.register(models.PatrolLog)
class PatrolLogAdmin(SimpleHistoryAdmin):
    list_display = ["officer", "unit", "mode", "started_at", "ended_at", "post", "zone"]
    list_filter = ["unit", "mode", "campaign"]
    date_hierarchy = "started_at"
    search_fields = ["officer__name", "officer__badge_no"]
    list_select_related = ["officer", "unit", "post", "zone"]
    inlines = [ViolationTallyInline]
    readonly_fields = ["unit"]


class AttendanceInline(admin.TabularInline):
    model = models.Attendance
    extra = 0
    autocomplete_fields = ["officer"]


@admin.register(models.TrainingSession)
class TrainingSessionAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "title", "kind", "unit"]
    list_filter = ["kind", "unit"]
    date_hierarchy = "held_on"
    search_fields = ["title"]
    inlines = [AttendanceInline]
