"""Page forms of the incidents app: they only read input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brigade.core import geo
from brigade.core.dates import DateWindowValidator
from brigade.core.fields import NOTE_LENGTH, IdentifierFormField, TextFormField
from brigade.core.forms import BootstrapForm
from brigade.core.scope import scope_of
from brigade.core.timecheck import happened_validator, planned_validator
from brigade.core.typing import Visitor
from brigade.core.uploads import validate_document
from brigade.core.ytd import year_to_date
from brigade.duty.forms import place_field
from brigade.duty.models import Unit
from incidents import choices

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as Label

LOCAL_DATETIME = "%Y-%m-%dT%H:%M"
LOCATION_FIELDS = ("gazetteer_place", "latitude", "longitude")


class DateTimeLocalInput(forms.DateTimeInput):
    """The phone's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_DATETIME, **kwargs)


def _now_local() -> str:
    return timezone.localtime().strftime(LOCAL_DATETIME)


def _money_field(label: Label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class UnitChoiceMixin:
    """A unit field only for users who see several units; others record in their own."""

    fields: dict[str, forms.Field]

    def setup_unit(self, user: Visitor) -> None:
        scope = scope_of(user)
        if scope.brigade_wide or scope.officer is None:
            self.fields["unit"] = forms.ModelChoiceField(
                label=_("Unit"), queryset=Unit.objects.visible_to(user)
            )
            self.fields["unit"].widget.attrs["class"] = "form-select"


class AccidentForm(UnitChoiceMixin, BootstrapForm):
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"), widget=DateTimeLocalInput(), input_formats=[LOCAL_DATETIME]
    )
    road = forms.CharField(label=_("Road"), max_length=100)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    # the gazetteer's road or crossing (its point fills a point left empty)
    gazetteer_place = place_field()
    # where on the map (optional): the page's "Use my position" fills both
    latitude = geo.form_field("latitude")
    longitude = geo.form_field("longitude")
    severity = forms.ChoiceField(
        label=pgettext_lazy("accident", "Severity"), choices=choices.Severity.choices
    )
    handling_mode = forms.ChoiceField(label=_("Handling"), choices=choices.HandlingMode.choices)
    hit_and_run = forms.BooleanField(label=_("Hit-and-run (the other party fled)"), required=False)
    mediation = forms.ChoiceField(
        label=_("Mediation"), choices=choices.MediationOutcome.choices, required=False
    )
    notes = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, user: Visitor, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("occurred_at", _now_local())
        super().__init__(*args, **kwargs)
        self.setup_unit(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, error in geo.point_errors(data.get("latitude"), data.get("longitude")).items():
            self.add_error(field, error)
        return data


class QuickSettlementForm(UnitChoiceMixin, BootstrapForm):
    """快处快赔 on a phone: when (now), where, and the two vehicles' plates and insurers."""

    occurred_at = forms.DateTimeField(
        label=_("Occurred at"), widget=DateTimeLocalInput(), input_formats=[LOCAL_DATETIME]
    )
    road = forms.CharField(label=_("Road"), max_length=100)
    gazetteer_place = place_field()
    latitude = geo.form_field("latitude")
    longitude = geo.form_field("longitude")
    plate_a = IdentifierFormField(
        label=_("Plate of vehicle A"), max_length=20, upper=True, drop_spaces=True
    )
    insurer_a = forms.CharField(label=_("Insurer of vehicle A"), max_length=100, required=False)
    plate_b = IdentifierFormField(
        label=_("Plate of vehicle B"), max_length=20, upper=True, drop_spaces=True
    )
    insurer_b = forms.CharField(label=_("Insurer of vehicle B"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Visitor, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("occurred_at", _now_local())
        super().__init__(*args, **kwargs)
        self.setup_unit(user)
        for name in ("plate_a", "plate_b"):
            self.fields[name].widget.attrs.update(autocapitalize="characters", autocomplete="off")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, error in geo.point_errors(data.get("latitude"), data.get("longitude")).items():
            self.add_error(field, error)
        return data

    def location(self) -> dict[str, Any]:
        """Where the settlement happened: the point and the place, as given."""
        return {name: self.cleaned_data.get(name) for name in LOCATION_FIELDS}

    def parties(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {"plate": data["plate_a"].upper(), "insurer": data["insurer_a"]},
            {"plate": data["plate_b"].upper(), "insurer": data["insurer_b"]},
        ]


class PartyForm(BootstrapForm):
    role = forms.ChoiceField(label=_("Role"), choices=choices.PartyRole.choices)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    plate = IdentifierFormField(
        label=_("Plate"), max_length=20, required=False, upper=True, drop_spaces=True
    )
    vehicle_kind = forms.ChoiceField(
        label=_("Vehicle"), choices=choices.VehicleKind.choices, required=False
    )
    insurer = forms.CharField(label=_("Insurer"), max_length=100, required=False)
    liability = forms.ChoiceField(
        label=_("Liability"), choices=choices.Liability.choices, required=False
    )


class DocumentForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    file = forms.FileField(
        label=_("File (PDF or photo)"),
        validators=[validate_document],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )


class SolveForm(BootstrapForm):
    solved_at = forms.DateTimeField(
        label=_("Solved at"), widget=DateTimeLocalInput(), input_formats=[LOCAL_DATETIME]
    )
    solved_how = forms.ChoiceField(label=_("How"), choices=choices.SolvedHow.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("solved_at", _now_local())
        super().__init__(*args, **kwargs)


class AdvanceForm(BootstrapForm):
    beneficiary = forms.CharField(label=_("Beneficiary"), max_length=100)
    payee = forms.CharField(
        label=_("Payee"),
        max_length=100,
        help_text=_("Who receives the money: a hospital, funeral home…"),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=choices.AdvancePurpose.choices)
    amount = _money_field(_("Amount (CNY)"))
    recovery_due = forms.DateField(
        label=_("Recover by"),
        required=False,
        validators=[planned_validator(_("Recover by"))],
    )
    notes = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ApproveForm(forms.Form):
    """The approve button: it carries the version of the advance the page showed."""

    version = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)


class RejectForm(BootstrapForm):
    reason = TextFormField(label=_("Reason"), max_length=200)


class PayForm(BootstrapForm):
    recovery_due = forms.DateField(
        label=_("Recover by"),
        required=False,
        validators=[planned_validator(_("Recover by"))],
    )


class RecoveryForm(BootstrapForm):
    payer = forms.CharField(label=_("Payer"), max_length=100)
    amount = _money_field(_("Amount (CNY)"))
    received_on = forms.DateField(
        label=pgettext_lazy("recovery", "Received on"),
        validators=[happened_validator(pgettext_lazy("recovery", "Received on"))],
    )
    notes = TextFormField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class LedgerForm(BootstrapForm):
    date_from = forms.DateField(label=_("From"))
    date_to = forms.DateField(label=_("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end is before the start."))
        return data

    @staticmethod
    def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
        return year_to_date(today)


class BlackSpotWindowForm(BootstrapForm):
    """The period of the black-spot page: empty, the rolling window ending today."""

    date_from = forms.DateField(label=_("From"), required=False, validators=[DateWindowValidator()])
    date_to = forms.DateField(label=_("To"), required=False, validators=[DateWindowValidator()])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end is before the start."))
        return data
