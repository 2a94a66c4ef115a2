"""Page forms of the brigade app: they only read input; the services decide.

Choice fields are limited to what the signed-in user may see (``visible_to``), so a
form can never offer, nor accept, a record from outside the user's scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from brigade.core import dates
from brigade.core.fields import NOTE_LENGTH, TextFormField
from brigade.core.forms import BootstrapForm, limit_choices, style_fields
from brigade.core.typing import Visitor
from brigade.duty.choices import AssessmentResult, PatrolMode, ViolationKind, Weather
from brigade.duty.models import Campaign, DutyPost, Officer, Place, RoadWorksZone, Shift


def _weather_choices() -> list[tuple[str, str | Promise]]:
    return [("", _("— not recorded —")), *Weather.choices]


def current_zones(user: object, day: dt.date) -> QuerySet[RoadWorksZone]:
    return RoadWorksZone.objects.visible_to(user).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day
    )


class StartPatrolForm(BootstrapForm):
    """Start a patrol: from one of today's shifts (its post) or with a post/zone chosen."""

    shift = forms.ModelChoiceField(
        queryset=Shift.objects.none(), required=False, widget=forms.HiddenInput
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=PatrolMode.choices,
        initial=PatrolMode.FOOT,
        widget=forms.RadioSelect,
    )
    post = forms.ModelChoiceField(label=_("Post"), queryset=DutyPost.objects.none(), required=False)
    zone = forms.ModelChoiceField(
        label=_("Road-works zone"), queryset=RoadWorksZone.objects.none(), required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("Tag the patrol to a running crackdown campaign."),
    )
    weather = forms.ChoiceField(label=_("Weather"), required=False)

    def __init__(self, *args: Any, user: Visitor, officer: Officer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        none = _("— none —")
        limit_choices(self, "shift", Shift.objects.filter(officer=officer).on_day(today))
        limit_choices(self, "post", DutyPost.objects.visible_to(user).filter(is_active=True), none)
        limit_choices(self, "zone", current_zones(user, today), none)
        limit_choices(self, "campaign", Campaign.objects.visible_to(user).current(today), none)
        cast(forms.ChoiceField, self.fields["weather"]).choices = _weather_choices()

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        shift = data.get("shift")
        if shift is not None:
            # Starting from a shift means duty at the shift's post.
            data["post"] = shift.post
        return data


class CheckInForm(BootstrapForm):
    post = forms.ModelChoiceField(label=_("Post"), queryset=DutyPost.objects.none(), required=False)

    def __init__(self, *args: Any, user: Visitor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(
            self,
            "post",
            DutyPost.objects.visible_to(user).filter(is_active=True),
            _("— choose a post —"),
        )


class PatrolDetailsForm(BootstrapForm):
    weather = forms.ChoiceField(label=_("Weather"), required=False)
    notes = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["weather"]).choices = _weather_choices()


# A patrol shorter than this lasted "0 minutes": most likely Start and End tapped by mistake.
ZERO_MINUTES = dt.timedelta(minutes=1)


class EndPatrolForm(BootstrapForm):
    """The end of the open patrol. A patrol of 0 minutes is asked about once: the form
    answers with the question (``asks_zero``) and the page sends it again with
    ``confirm_zero``, which is then accepted. Whether the end comes after the start is the
    service's rule, so the API (which does not ask) keeps it too."""

    ended_at = forms.DateTimeField(
        label=_("End time"),
        required=False,
        help_text=_("Leave empty to end now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    confirm_zero = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, started_at: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started_at = started_at
        self.asks_zero = False

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.started_at is None or data.get("confirm_zero") or self.errors:
            return data
        ended_at = data.get("ended_at") or timezone.now()
        if self.started_at < ended_at < self.started_at + ZERO_MINUTES:
            self.asks_zero = True
            raise forms.ValidationError(
                _("This patrol lasted 0 minutes: end it anyway?"), code="zero_minutes"
            )
        return data


class TallyForm(forms.Form):
    kind = forms.ChoiceField(choices=ViolationKind.choices)
    delta = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1")], coerce=int)


class AttendanceForm(BootstrapForm):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=Officer.objects.none())
    attended = forms.BooleanField(label=_("Attended"), required=False, initial=True)
    result = forms.ChoiceField(
        label=_("Assessment"),
        choices=AssessmentResult.choices,
        initial=AssessmentResult.NOT_ASSESSED,
    )
    score = forms.DecimalField(
        label=_("Score"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=1,
    )

    def __init__(self, *args: Any, user: Visitor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(
            self, "officer", Officer.objects.visible_to(user).active(), _("— choose an officer —")
        )


class DayForm(forms.Form):
    """The ``?date=`` of the coverage page."""

    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput,
        # A plan reaches a year ahead; before the brigade's start there is nothing to show.
        validators=[dates.DateWindowValidator(dates.PLANNED, _("Date"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class PlaceSelect(forms.Select):
    """The gazetteer's places, each option carrying its point (``data-lat``/``data-lng``):
    brigade/position.js fills an empty point from the place chosen."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        place = getattr(option["value"], "instance", None)
        if isinstance(place, Place):
            option["attrs"].update({"data-lat": place.latitude, "data-lng": place.longitude})
        return option


def place_field() -> forms.ModelChoiceField:
    """A form's pick of an active place of the gazetteer (optional): where the record was,
    when the point is not known or to say which road or crossing it is."""
    return forms.ModelChoiceField(
        label=_("Road or intersection (register)"),
        queryset=Place.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("— none / nearest to the point —"),
        widget=PlaceSelect(attrs={"class": "form-select"}),
        help_text=_("Its point is used when no position is given."),
    )
