"""Admin of the incidents app: for corrections by administrators, with history."""

from django import forms
from django.contrib import admin
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from brigade.core import geo
from incidents.choices import AdvanceStatus
from incidents.models import (
    DECIDED_FIELDS,
    Accident,
    AccidentDocument,
    AccidentParty,
    BlackSpot,
    FundAdvance,
    Recovery,
)


class PartyInline(admin.TabularInline):
    model = AccidentParty
    extra = 0
    # a party's phone number is shown whole only through the logged "show" of the
    # accident's page (brigade.core.privacy)
    exclude = ("phone",)


class AccidentAdminForm(forms.ModelForm):
    class Meta:
        model = Accident
        fields = (
            "occurred_at",
            "unit",
            "road",
            "place",
            "latitude",
            "longitude",
            "severity",
            "handling_mode",
            "hit_and_run",
            "solved_at",
            "solved_how",
            "solved_by",
            "mediation",
            "notes",
            "recorded_by",
        )

    def clean(self):
        data = super().clean() or {}
        # placed by both coordinates or by neither, as on the page and in the API
        for field, error in geo.point_errors(data.get("latitude"), data.get("longitude")).items():
            self.add_error(field, error)
        return data


@admin.register(Accident)
class AccidentAdmin(SimpleHistoryAdmin):
    form = AccidentAdminForm
    list_display = ("occurred_at", "road", "unit", "severity", "handling_mode", "hit_and_run")
    list_filter = ("unit", "severity", "handling_mode", "hit_and_run")
    fieldsets = (
        (None, {"fields": ("occurred_at", "unit", "road", "place", "severity", "handling_mode")}),
        (pgettext_lazy("coordinates", "Location"), {"fields": (("latitude", "longitude"),)}),
        (
            None,
            {
                "fields": (
                    "hit_and_run",
                    "solved_at",
                    "solved_how",
                    "solved_by",
                    "mediation",
                    "notes",
                    "recorded_by",
                )
            },
        ),
    )
    search_fields = ("road", "place", "parties__plate")
    date_hierarchy = "occurred_at"
    inlines = [PartyInline]
    raw_id_fields = ("recorded_by", "solved_by")


@admin.register(AccidentDocument)
class AccidentDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("title", "accident", "created_at")
    raw_id_fields = ("accident", "uploaded_by")


@admin.register(FundAdvance)
class FundAdvanceAdmin(SimpleHistoryAdmin):
    list_display = ("beneficiary", "purpose", "amount", "status", "paid_at", "amount_recovered")
    list_filter = ("status", "purpose")
    search_fields = ("beneficiary", "payee")
    raw_id_fields = ("accident", "requested_by", "approved_by", "edited_by")
    # money moves only through the services (approve, pay, recover); who requested,
    # changed and decided is what four eyes rest on: shown, never edited here
    readonly_fields = (
        "status",
        "requested_by",
        "edited_by",
        "approved_by",
        "approved_by_second_approver",
        "approved_at",
        "paid_at",
        "amount_recovered",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != AdvanceStatus.REQUESTED:
            # a decided advance keeps what it was decided on (FundAdvance.save refuses too)
            return (*fields, *DECIDED_FIELDS)
        return fields


@admin.register(Recovery)
class RecoveryAdmin(SimpleHistoryAdmin):
    list_display = ("advance", "payer", "amount", "received_on")
    raw_id_fields = ("advance", "recorded_by")

    def has_change_permission(self, request, obj=None):
        return False  # a recovery is a ledger entry: never edited


@admin.register(BlackSpot)
class BlackSpotAdmin(admin.ModelAdmin):
    """Computed (incidents/black_spots.py), never edited: read here, recomputed nightly."""

    list_display = (
        "rank",
        "name",
        "unit",
        "kind",
        "accidents",
        "injuries",
        "fatalities",
        "current",
    )
    list_filter = ("current", "kind", "unit")
    search_fields = ("name", "h3_cell")

    def changelist_view(self, request, extra_context=None):
        from django.conf import settings
        from django.contrib import messages
        from django.utils.translation import gettext as _

        messages.info(
            request,
            _(
                "A black spot: at least %(n)s accidents with injuries or deaths in %(days)s days "
                "(of them at least %(injuries)s with injuries and %(fatal)s fatal), all of these "
                "met, in a map cell and its neighbours or at one gazetteer place. Set by "
                "BLACK_SPOT_MIN_ACCIDENTS, BLACK_SPOT_MIN_INJURIES, BLACK_SPOT_MIN_FATALITIES "
                "and BLACK_SPOT_WINDOW_DAYS (defaults 3, 0, 0, 365)."
            )
            % {
                "n": settings.BLACK_SPOT_MIN_ACCIDENTS,
                "days": settings.BLACK_SPOT_WINDOW_DAYS,
                "injuries": settings.BLACK_SPOT_MIN_INJURIES,
                "fatal": settings.BLACK_SPOT_MIN_FATALITIES,
            },
        )
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
