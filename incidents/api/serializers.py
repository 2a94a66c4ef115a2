"""Serializers of the incidents API: fields listed explicitly; status, amounts paid or
recovered, approvers and the case's solution are read-only (set by the services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from brigade.core import dates, geo
from brigade.core.api.fields import (
    TIMESTAMPS,
    ChoicesField,
    DayField,
    FreeTextField,
    MaskedPhoneField,
    RelatedRef,
    TimestampField,
    label_of,
)
from brigade.duty.api.serializers import place_ref
from brigade.duty.models import Unit
from incidents import choices
from incidents.models import Accident, AccidentDocument, AccidentParty, FundAdvance, Recovery
from incidents.services import SCENE_FIELDS, refuse_decided_changes


def money(**kwargs: Any) -> serializers.DecimalField:
    """An amount in yuan: two decimals, sent as a string (never a float)."""
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs
    )


class IncidentUserRef(serializers.Serializer):
    """A user as the API shows one: id and name."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


class AccidentPartySerializer(serializers.ModelSerializer):
    role = ChoicesField(choices.PartyRole, required=False)
    # written whole, always read masked (the accident's audited ``reveal/`` shows it)
    phone = MaskedPhoneField(max_length=20, required=False, allow_blank=True)
    vehicle_kind = ChoicesField(choices.VehicleKind, required=False, allow_blank=True)
    liability = ChoicesField(choices.Liability, required=False, allow_blank=True)

    class Meta:
        model = AccidentParty
        fields = ("id", "role", "name", "phone", "plate", "vehicle_kind", "insurer", "liability")
        read_only_fields = ("id",)


class PartyRevealSerializer(serializers.Serializer):
    """Which party's phone number to show: one party of the accident, or (left out) every
    party that has one."""

    party = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class PartyPhoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()


class PartyPhonesSerializer(serializers.Serializer):
    parties = PartyPhoneSerializer(many=True)


class AccidentSerializer(serializers.ModelSerializer):
    """An accident with its parties; ``parties`` are written on create only."""

    unit = RelatedRef(queryset=Unit.objects.all(), required=False)
    severity = ChoicesField(choices.Severity, required=False)
    handling_mode = ChoicesField(choices.HandlingMode, required=False)
    mediation = ChoicesField(choices.MediationOutcome, required=False, allow_blank=True)
    solved_how = ChoicesField(choices.SolvedHow, read_only=True)
    recorded_by = IncidentUserRef(read_only=True, allow_null=True)
    solved_by = IncidentUserRef(read_only=True, allow_null=True)
    parties = AccidentPartySerializer(many=True, required=False)
    case_state = serializers.CharField(read_only=True)
    days_to_solve = serializers.SerializerMethodField(
        help_text=_("Days from the accident to the case's solution (solved cases only).")
    )
    occurred_at = TimestampField(required=False, help_text=_("When it happened; now if left out."))
    # where on the map (WGS-84): both or neither, as the hazards' are
    latitude = geo.serializer_field("latitude")
    longitude = geo.serializer_field("longitude")
    gazetteer_place = place_ref()
    gazetteer_place_name = serializers.CharField(
        source="gazetteer_place.shown_name", read_only=True, allow_null=True, default=None
    )
    h3_cell = serializers.CharField(
        read_only=True, help_text=_("The point's cell of the hexagonal grid (h3), or empty.")
    )

    class Meta:
        model = Accident
        fields = (
            "id",
            *SCENE_FIELDS,
            "gazetteer_place_name",
            "h3_cell",
            "unit",
            "hit_and_run",
            "case_state",
            "solved_at",
            "solved_how",
            "solved_by",
            "days_to_solve",
            "mediation",
            "notes",
            "parties",
            "recorded_by",
            *TIMESTAMPS,
        )
        read_only_fields = ("solved_at", *TIMESTAMPS)

    def get_days_to_solve(self, accident: Accident) -> int | None:
        return accident.days_open() if accident.solved_at else None


class AccidentImportSerializer(serializers.Serializer):
    """A CSV/XLSX sheet of accidents: 发生时间, 道路, and 经度/纬度 or 路口路段 (a place of the
    register by name); 地点 and 事故等级 optional."""

    file = serializers.FileField()
    unit = RelatedRef(
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("The unit the accidents belong to; your own unit if left out."),
    )


class AccidentDocumentSerializer(serializers.ModelSerializer):
    """A document attached to an accident: a PDF or photo, checked by its content."""

    file = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = AccidentDocument
        fields = ("id", "title", "file", "download", "created_at")
        read_only_fields = ("id", "created_at")

    def get_download(self, document: AccidentDocument) -> str:
        from django.urls import reverse

        return reverse("incidents:accidentdocument_file", args=[document.pk])


class AccidentSolveSerializer(serializers.Serializer):
    solved_how = ChoicesField(choices.SolvedHow)
    solved_at = TimestampField(
        required=False,
        label=label_of(Accident, "solved_at"),
        help_text=_("When the driver was identified; now if left out."),
    )


class FundAdvanceSerializer(serializers.ModelSerializer):
    """An advance; status, approver, payment and recovered amount are set by actions."""

    accident = RelatedRef(queryset=Accident.objects.all(), display=("road",))
    purpose = ChoicesField(choices.AdvancePurpose)
    status = ChoicesField(choices.AdvanceStatus, read_only=True)
    amount = money(min_value=Decimal("0.01"))
    amount_recovered = money(read_only=True)
    paid_amount = money(read_only=True)
    outstanding = money(read_only=True)
    recovery_warning = serializers.CharField(read_only=True)  # FundAdvance.recovery_warning()
    requested_by = IncidentUserRef(read_only=True, allow_null=True)
    edited_by = IncidentUserRef(
        read_only=True,
        allow_null=True,
        help_text=_("Who last changed the request: its requester, or a clerk on their behalf."),
    )
    approved_by = IncidentUserRef(read_only=True, allow_null=True)

    class Meta:
        model = FundAdvance
        fields = (
            "id",
            "accident",
            "beneficiary",
            "payee",
            "purpose",
            "amount",
            "status",
            "requested_by",
            "edited_by",
            "approved_by",
            "approved_by_second_approver",
            "approved_at",
            "rejected_reason",
            "paid_at",
            "recovery_due",
            "amount_recovered",
            "paid_amount",
            "outstanding",
            "recovery_warning",
            "notes",
            *TIMESTAMPS,
        )
        read_only_fields = (
            "approved_at",
            "approved_by_second_approver",
            "rejected_reason",
            "paid_at",
            *TIMESTAMPS,
        )


class FundAdvanceChangeSerializer(FundAdvanceSerializer):
    """A change of an advance: what a decided one was decided on is refused here already
    (409, as the service would), before any other field is looked at."""

    accident = RelatedRef(read_only=True, display=("road",))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            refuse_decided_changes(self.instance, attrs)
        return attrs


class AdvanceApproveSerializer(serializers.Serializer):
    version = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_(
            "The ETag of the advance as the approver read it (or send it as If-Match); "
            "required one way or the other."
        ),
    )


class AdvancePaySerializer(serializers.Serializer):
    paid_at = TimestampField(
        required=False, label=label_of(FundAdvance, "paid_at"), help_text=_("Now if left out.")
    )
    recovery_due = DayField(
        window=dates.PLANNED,
        label=label_of(FundAdvance, "recovery_due"),
        required=False,
        help_text=_("The day by which the money should be recovered."),
    )


class AdvanceRejectSerializer(serializers.Serializer):
    reason = FreeTextField(max_length=200)


class RecoverySerializer(serializers.ModelSerializer):
    advance = RelatedRef(queryset=FundAdvance.objects.all(), display=("beneficiary",))
    amount = money(min_value=Decimal("0.01"))
    recorded_by = IncidentUserRef(read_only=True, allow_null=True)
    received_on = DayField(required=False, help_text=_("Today if left out."))

    class Meta:
        model = Recovery
        fields = (
            "id",
            "advance",
            "payer",
            "amount",
            "received_on",
            "notes",
            "recorded_by",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class LedgerQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(source="first")
    date_to = serializers.DateField(source="last")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["last"] < attrs["first"]:
            raise serializers.ValidationError({"date_to": _("The end is before the start.")})
        return attrs


class LedgerAdvanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    accident = serializers.IntegerField(source="accident_id")
    unit = serializers.CharField(source="accident.unit.name")
    beneficiary = serializers.CharField()
    payee = serializers.CharField()
    purpose = ChoicesField(choices.AdvancePurpose)
    paid_at = TimestampField(label=label_of(FundAdvance, "paid_at"))
    recovery_due = serializers.DateField(allow_null=True)
    paid = money(source="amount")
    recovered = money(source="recovered_by_end")
    outstanding = money(source="outstanding_at_end")


class LedgerRecoverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    advance = serializers.IntegerField(source="advance_id")
    payer = serializers.CharField()
    received_on = serializers.DateField()
    amount = money()


class LedgerTotalsSerializer(serializers.Serializer):
    paid = money()
    recovered = money()
    outstanding = money()
    received_in_period = money()


class LedgerSerializer(serializers.Serializer):
    date_from = serializers.DateField(source="first")
    date_to = serializers.DateField(source="last")
    advances = LedgerAdvanceSerializer(many=True)
    recoveries = LedgerRecoverySerializer(many=True)
    totals = LedgerTotalsSerializer()


# --- black spots ------------------------------------------------------------------------------


class BlackSpotQuerySerializer(serializers.Serializer):
    """The window of a black-spot list (``from``, ``to``: both days included); neither:
    the rolling window ending today; one alone: the window of that length from or to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the fields are named here
        self.fields["from"] = DayField(
            required=False, source="first", label=_("From"), help_text="First day."
        )
        self.fields["to"] = DayField(
            required=False, source="last", label=_("To"), help_text="Last day."
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "first" in attrs and "last" in attrs and attrs["last"] < attrs["first"]:
            raise serializers.ValidationError({"to": _("The end is before the start.")})
        return attrs


class SpotCountSerializer(serializers.Serializer):
    accidents = serializers.IntegerField()


class SpotKindSerializer(SpotCountSerializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class SpotHourSerializer(SpotCountSerializer):
    hour = serializers.IntegerField(min_value=0, max_value=23)


class SpotHazardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    api_url = serializers.CharField()
    is_open = serializers.BooleanField()


class BlackSpotSerializer(serializers.Serializer):
    """A black spot: its rank in the list, where it is, what it counts and where those
    accidents are listed (``records_api``: its ``count`` equals ``accidents``)."""

    id = serializers.IntegerField(
        allow_null=True, help_text="The stored spot (null: none for this window and place)."
    )
    rank = serializers.IntegerField()
    kind = ChoicesField(choices.SpotKind)
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit")
    place_name = serializers.CharField(source="name")
    lat = serializers.FloatField(source="latitude", allow_null=True)
    lng = serializers.FloatField(source="longitude", allow_null=True)
    accidents = serializers.IntegerField(help_text="Accidents with injuries or deaths.")
    injuries = serializers.IntegerField(help_text="Of them, accidents with injuries.")
    fatalities = serializers.IntegerField(help_text="Of them, fatal accidents.")
    main_kinds = SpotKindSerializer(many=True, help_text="The vehicle kinds most involved.")
    main_hours = SpotHourSerializer(many=True, help_text="The hours most accidents happened.")
    date_from = serializers.DateField(source="window_from")
    date_to = serializers.DateField(source="window_to")
    cells = serializers.ListField(child=serializers.CharField())
    records_api = serializers.CharField()
    hazard = SpotHazardSerializer(allow_null=True)


class BlackSpotListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    results = BlackSpotSerializer(many=True)


class SpotConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    state = serializers.CharField()
    hazard = SpotHazardSerializer()
