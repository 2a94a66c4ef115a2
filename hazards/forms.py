"""Page forms of the hazards app: they only read input; the services decide.

Choice fields offer only records the signed-in user may see (``visible_to``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from brigade.core import geo
from brigade.core.fields import NOTE_LENGTH, TEXT_LENGTH, TextFormField
from brigade.core.forms import BootstrapForm
from brigade.core.timecheck import happened_validator, planned_validator
from brigade.duty.forms import place_field
from brigade.duty.models import Unit
from hazards.choices import (
    Element,
    FacilityKind,
    HazardSource,
    PhotoStage,
    Severity,
)
from hazards.models import Hazard


class MultiplePhotoInput(forms.ClearableFileInput):
    """A file input that takes several photos and, on a phone, offers the camera."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"accept": "image/*", "capture": "environment", "multiple": True}
        super().__init__({**defaults, **(attrs or {})})


class MultiplePhotoField(forms.FileField):
    widget = MultiplePhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def unit_choices(form: forms.Form, units: QuerySet[Unit] | None) -> None:
    """A unit field for users who see several units; hidden for everyone else."""
    if units is None or len(units) <= 1:
        del form.fields["unit"]
    else:
        form.fields["unit"].queryset = units  # type: ignore[attr-defined]


class HazardReportForm(BootstrapForm):
    """What an officer types on the road: big fields, position from the phone."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    element = forms.ChoiceField(
        label=_("Element"), choices=Element.choices, widget=forms.RadioSelect
    )
    road = forms.CharField(label=_("Road"), max_length=100)
    location = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Crossing, house number or landmark."),
    )
    description = TextFormField(
        max_length=TEXT_LENGTH, label=_("What is wrong"), widget=forms.Textarea(attrs={"rows": 3})
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        widget=forms.RadioSelect,
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=HazardSource.choices, initial=HazardSource.PATROL
    )
    # the register's road or crossing (its point fills a point left empty), as on an accident
    gazetteer_place = place_field()
    latitude = geo.form_field("latitude")
    longitude = geo.form_field("longitude")
    photos = MultiplePhotoField(label=_("Photos"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_choices(self, units)
        for name in ("road", "location", "description"):
            self.fields[name].widget.attrs["class"] += " form-control-lg"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, error in geo.point_errors(data.get("latitude"), data.get("longitude")).items():
            self.add_error(field, error)
        return data


class HazardEditForm(BootstrapForm):
    """A commander's correction of what was reported."""

    element = forms.ChoiceField(label=_("Element"), choices=Element.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    road = forms.CharField(label=_("Road"), max_length=100)
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = TextFormField(
        max_length=TEXT_LENGTH, label=_("What is wrong"), widget=forms.Textarea(attrs={"rows": 3})
    )
    latitude = HazardReportForm.base_fields["latitude"]
    longitude = HazardReportForm.base_fields["longitude"]


class AssignForm(BootstrapForm):
    responsible_party = forms.CharField(label=_("Responsible party"), max_length=200)
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput,
        help_text=_("Left empty: set by the severity."),
        validators=[planned_validator(_("Deadline"))],
    )


class RectifyForm(BootstrapForm):
    measures = TextFormField(
        max_length=TEXT_LENGTH, label=_("Measures taken"), widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultiplePhotoField(label=_("Photos after the work"), required=False)


class PhotosForm(BootstrapForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=PhotoStage.choices)
    photos = MultiplePhotoField(label=_("Photos"))


class VerifyForm(BootstrapForm):
    note = TextFormField(label=_("Note"), required=False, max_length=500)


class ReasonForm(BootstrapForm):
    reason = TextFormField(
        max_length=NOTE_LENGTH, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DuplicateForm(BootstrapForm):
    original = forms.ModelChoiceField(queryset=Hazard.objects.none(), label=_("Original hazard"))

    def __init__(self, *args: Any, hazard: Hazard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["original"].queryset = (  # type: ignore[attr-defined]
            Hazard.objects.filter(unit_id=hazard.unit_id)
            .exclude(pk=hazard.pk)
            .exclude(status="duplicate")
            .order_by("-found_at")
        )


class ClearForm(BootstrapForm):
    inspection_date = forms.DateField(
        label=_("Inspection passed on"),
        required=False,
        widget=forms.DateInput,
        validators=[happened_validator(_("Inspection passed on"))],
    )
    scrapping_certificate = forms.CharField(
        label=_("Scrapping certificate no."), required=False, max_length=50
    )
    note = TextFormField(label=_("Note"), required=False, max_length=500)


class ImportForm(BootstrapForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    file = forms.FileField(
        label=_("Register file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_choices(self, units)


class FacilityWorkForm(BootstrapForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    place = forms.CharField(label=_("Place"), max_length=200)
    done_on = forms.DateField(
        label=_("Done on"),
        widget=forms.DateInput,
        validators=[happened_validator(_("Done on"))],
    )
    hazard = forms.ModelChoiceField(
        queryset=Hazard.objects.none(), label=_("Hazard fixed"), required=False
    )
    notes = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit] | None = None,
        hazards: QuerySet[Hazard] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_choices(self, units)
        self.fields["hazard"].queryset = hazards if hazards is not None else Hazard.objects.none()  # type: ignore[attr-defined]
