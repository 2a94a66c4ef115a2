"""Serializers of the petitions API: fields listed explicitly, server-set fields read-only,
the citizen's name and phone always masked (the audited ``reveal/`` action unmasks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.utils import html

from brigade.core import dates
from brigade.core.api.fields import (
    TIMESTAMPS,
    ChoicesField,
    DayField,
    FreeTextField,
    IdentifierSerializerField,
    NotesField,
    RelatedRef,
    TimestampField,
    label_of,
)
from brigade.core.privacy import mask_name, mask_phone
from brigade.duty.models import Officer, Unit
from petitions import choices, models


class TicketCategorySerializer(serializers.ModelSerializer):
    """A category and its deadline rule (working days) and reply templates."""

    reply_templates = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False
    )

    class Meta:
        model = models.TicketCategory
        fields = (
            "id",
            "name",
            "name_en",
            "code",
            "sign_days",
            "reply_days",
            "close_days",
            "reply_templates",
            "is_active",
            *TIMESTAMPS,
        )
        read_only_fields = ("id", *TIMESTAMPS)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        defaults = {"sign_days": 1, "reply_days": 5, "close_days": 10}
        sign, reply, close = (
            attrs.get(name, getattr(current, name) if current else default)
            for name, default in defaults.items()
        )
        if not sign <= reply <= close:
            raise serializers.ValidationError(
                {"close_days": [_("Deadlines must run in order: sign, then reply, then close.")]}
            )
        return attrs


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as a list row shows it: masked citizen, deadlines and time left."""

    channel = ChoicesField(choices.TicketChannel, read_only=True)
    status = ChoicesField(choices.TicketStatus, read_only=True)
    # the platform's own callback result: empty until one is imported
    platform_result = ChoicesField(choices.CallbackResult, read_only=True)
    category = RelatedRef(read_only=True)
    unit = RelatedRef(read_only=True)
    handler = RelatedRef(read_only=True, display=("name", "badge_no"))
    citizen_name = serializers.SerializerMethodField()
    citizen_phone = serializers.SerializerMethodField()
    deadline_state = serializers.SerializerMethodField()
    workdays_left = serializers.SerializerMethodField()

    class Meta:
        model = models.Ticket
        fields: tuple[str, ...] = (
            "id",
            "number",
            "channel",
            "received_at",
            "citizen_name",
            "citizen_phone",
            "category",
            "content",
            "location",
            "unit",
            "handler",
            "status",
            "round",
            "sign_due",
            "reply_due",
            "close_due",
            "next_due",
            "deadline_state",
            "workdays_left",
            "signed_at",
            "replied_at",
            "reply",
            "closed_at",
            "closed_on_time",
            "returned_at",
            "return_reason",
            "reopened_at",
            "platform_result",
            "platform_result_at",
            "callback_mismatch",
            "supervised_at",
            "supervision_due",
            *TIMESTAMPS,
        )
        read_only_fields: tuple[str, ...] = fields

    def to_representation(self, instance: models.Ticket) -> dict[str, Any]:
        """The same fields and values as the declared ones produce (a test compares
        them), built in one pass: the clerk's list and queue render fifty of these per
        request, and DRF's field-by-field walk cost more than the query."""
        today = self._today()
        handler = instance.handler
        return {
            "id": instance.pk,
            "number": instance.number,
            "channel": instance.channel,
            "received_at": _when(instance.received_at),
            "citizen_name": mask_name(instance.citizen_name),
            "citizen_phone": mask_phone(instance.citizen_phone),
            "category": {"id": instance.category_id, "name": instance.category.name},
            "content": instance.content,
            "location": instance.location,
            "unit": {"id": instance.unit_id, "name": instance.unit.name},
            "handler": None
            if handler is None
            else {"id": handler.pk, "name": handler.name, "badge_no": handler.badge_no},
            "status": instance.status,
            "round": instance.round,
            "sign_due": _day(instance.sign_due),
            "reply_due": _day(instance.reply_due),
            "close_due": _day(instance.close_due),
            "next_due": _day(instance.next_due),
            "deadline_state": instance.deadline_state(today),
            "workdays_left": instance.workdays_left(today),
            "signed_at": _when(instance.signed_at),
            "replied_at": _when(instance.replied_at),
            "reply": instance.reply,
            "closed_at": _when(instance.closed_at),
            "closed_on_time": instance.closed_on_time,
            "returned_at": _when(instance.returned_at),
            "return_reason": instance.return_reason,
            "reopened_at": _when(instance.reopened_at),
            "platform_result": instance.platform_result,
            "platform_result_at": _when(instance.platform_result_at),
            "callback_mismatch": instance.callback_mismatch,
            "supervised_at": _when(instance.supervised_at),
            "supervision_due": _day(instance.supervision_due),
            "created_at": _when(instance.created_at),
            "updated_at": _when(instance.updated_at),
        }

    def get_citizen_name(self, obj: models.Ticket) -> str:
        return mask_name(obj.citizen_name)

    def get_citizen_phone(self, obj: models.Ticket) -> str:
        return mask_phone(obj.citizen_phone)

    def _today(self) -> dt.date:
        if "today" not in self.context:
            self.context["today"] = timezone.localdate()
        return self.context["today"]

    def get_deadline_state(self, obj: models.Ticket) -> str | None:
        return obj.deadline_state(self._today())

    def get_workdays_left(self, obj: models.Ticket) -> int | None:
        return obj.workdays_left(self._today())


def _when(value: dt.datetime | None) -> str | None:
    """A datetime as DRF's DateTimeField writes it (ISO 8601 in the current time zone)."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


class TicketCreateSerializer(serializers.Serializer):
    """Enter one ticket by hand (the platform's export is imported instead, usually)."""

    number = IdentifierSerializerField(max_length=40)
    channel = ChoicesField(choices.TicketChannel, default=choices.TicketChannel.HOTLINE)
    received_at = TimestampField(label=label_of(models.Ticket, "received_at"))
    citizen_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    citizen_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    category = RelatedRef(queryset=models.TicketCategory.objects.all())
    content = FreeTextField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    unit = RelatedRef(queryset=Unit.objects.all())


class GivenCharField(FreeTextField):
    """An optional text field whose empty value, sent in a form, is refused as blank.

    DRF takes a form's empty optional field for an omitted one, so ``content=`` would
    have answered 200 and changed nothing."""

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)


class TicketUpdateSerializer(serializers.Serializer):
    channel = ChoicesField(choices.TicketChannel, required=False)
    citizen_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    citizen_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    content = GivenCharField(required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    handler = RelatedRef(queryset=Officer.objects.all(), display=("name", "badge_no"))


class ReplySerializer(serializers.Serializer):
    text = FreeTextField()


class CallbackSerializer(serializers.Serializer):
    result = ChoicesField(choices.CallbackResult)
    notes = NotesField(required=False, allow_blank=True, default="")
    at = TimestampField(required=False, label=label_of(models.TicketCallback, "at"))


class ReasonSerializer(serializers.Serializer):
    reason = NotesField()


class ReopenSerializer(serializers.Serializer):
    reason = NotesField(required=False, allow_blank=True, default="")


class ExtendSerializer(serializers.Serializer):
    new_due = DayField(window=dates.PLANNED, label=label_of(models.TicketExtension, "new_due"))
    reason = NotesField()


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


class RevealSerializer(serializers.Serializer):
    citizen_name = serializers.CharField()
    citizen_phone = serializers.CharField()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()


class TicketReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = models.TicketReply
        fields = ("id", "round", "text", "replied_at")
        read_only_fields = fields


class TicketCallbackSerializer(serializers.ModelSerializer):
    result = ChoicesField(choices.CallbackResult, read_only=True)

    class Meta:
        model = models.TicketCallback
        fields = ("id", "round", "result", "at", "notes")
        read_only_fields = fields


class TicketExtensionSerializer(serializers.ModelSerializer):
    status = ChoicesField(choices.ExtensionStatus, read_only=True)
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, default=None, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = models.TicketExtension
        fields = (
            "id",
            "ticket",
            "new_due",
            "old_due",
            "reason",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decided_by_second_approver",
        )
        read_only_fields = fields


class TicketSupervisionSerializer(serializers.ModelSerializer):
    kind = ChoicesField(choices.SupervisionKind, read_only=True)

    class Meta:
        model = models.TicketSupervision
        fields = ("id", "kind", "supervised_at", "due", "text")
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    """One ticket with its rounds: replies, callbacks and extension requests."""

    replies = TicketReplySerializer(many=True, read_only=True)
    callbacks = TicketCallbackSerializer(many=True, read_only=True)
    extensions = TicketExtensionSerializer(many=True, read_only=True)

    supervisions = TicketSupervisionSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = (
            *TicketSerializer.Meta.fields,
            "replies",
            "callbacks",
            "extensions",
            "supervisions",
        )
        read_only_fields = fields

    def to_representation(self, instance: models.Ticket) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name in ("replies", "callbacks", "extensions", "supervisions"):
            data[name] = self.fields[name].to_representation(getattr(instance, name).all())
        return data


def _optional_officer() -> RelatedRef:
    """An officer of the user's scope, by id; may be left out or null."""
    return RelatedRef(
        queryset=Officer.objects.all(),
        display=("name", "badge_no"),
        required=False,
        allow_null=True,
    )


class ConsultationSerializer(serializers.ModelSerializer):
    channel = ChoicesField(choices.ConsultationChannel)
    unit = RelatedRef(queryset=Unit.objects.all())
    answered_by = _optional_officer()
    at = TimestampField(required=False)

    class Meta:
        model = models.Consultation
        fields = ("id", "channel", "topic", "answer", "answered_by", "at", "unit", *TIMESTAMPS)
        read_only_fields = ("id", *TIMESTAMPS)


class ProposalSerializer(serializers.ModelSerializer):
    kind = ChoicesField(choices.ProposalKind)
    grade = ChoicesField(choices.ProposerGrade)
    reply_mode = ChoicesField(choices.ReplyMode, read_only=True, allow_blank=True)
    unit = RelatedRef(queryset=Unit.objects.all())
    handler = _optional_officer()

    class Meta:
        model = models.Proposal
        fields = (
            "id",
            *models.Proposal.ENTERED_FIELDS,
            "reply_mode",
            "reply",
            "replied_at",
            *TIMESTAMPS,
        )
        read_only_fields = ("id", "reply_mode", "reply", "replied_at", *TIMESTAMPS)


class ProposalAnswerSerializer(serializers.Serializer):
    reply_mode = ChoicesField(choices.ReplyMode)
    reply = FreeTextField(required=False, allow_blank=True, default="")
    replied_at = TimestampField(required=False, label=label_of(models.Proposal, "replied_at"))


class PlatformExportSerializer(serializers.ModelSerializer):
    """An export for the 12345 platform and where to download its file."""

    by = serializers.CharField(source="by.username", read_only=True, default=None, allow_null=True)
    unit = RelatedRef(read_only=True)
    download = serializers.SerializerMethodField()
    download_csv = serializers.SerializerMethodField()

    class Meta:
        model = models.PlatformExport
        fields = (
            "id",
            "created_at",
            "by",
            "unit",
            "until",
            "first_action",
            "last_action",
            "rows",
            "download",
            "download_csv",
        )
        read_only_fields = fields

    def _url(self, export: models.PlatformExport, kind: str) -> str:
        from django.urls import reverse

        path = reverse("petitions-api:platform-export-download", kwargs={"pk": export.pk})
        request = self.context.get("request")
        url = request.build_absolute_uri(path) if request is not None else path
        return f"{url}?as={kind}"

    def get_download(self, export: models.PlatformExport) -> str:
        return self._url(export, "xlsx")

    def get_download_csv(self, export: models.PlatformExport) -> str:
        return self._url(export, "csv")


class PlatformExportCreateSerializer(serializers.Serializer):
    """The next export: the actions done up to the end of ``until`` (default today)."""

    until = serializers.DateField(required=False, allow_null=True)

    def validate_until(self, value: dt.date | None) -> dt.date | None:
        if value is not None and not dates.in_window(value, dates.HAPPENED):
            raise serializers.ValidationError(dates.message(dates.HAPPENED, _("until")))
        return value
