"""Page forms of the outreach app: they only read input; the services decide.

Choice fields offer only what the signed-in user may see (``visible_to``); the officers'
forms are short, with big radio buttons and today's date filled in, for a phone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brigade.core.fields import NOTE_LENGTH, TEXT_LENGTH, TextFormField
from brigade.core.forms import BootstrapForm, limit_choices
from brigade.core.querysets import BrigadeWideQuerySet
from brigade.core.scope import scope_of
from brigade.core.timecheck import happened_validator, planned_validator
from brigade.core.typing import Visitor
from brigade.core.uploads import validate_image
from brigade.duty.models import DutyPost, Officer, Unit
from outreach.choices import AssistanceKind, CommendationKind, GoalKind, VenueKind
from outreach.models import AssistanceEvent, LoveStation, OutreachCampaign, PublicityEvent

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as Label

MAX_PHOTOS = 6


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each must be an image by its content."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(max)s photos at a time.") % {"max": MAX_PHOTOS}
            )
        cleaned = [super(PhotosField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            validate_image(upload)
        return cleaned


def _officers_field(label: Label) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Officer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _count(label: Label, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        **kwargs,
    )


def _unit_officers(
    user: Visitor, record: PublicityEvent | AssistanceEvent | None = None
) -> QuerySet[Officer]:
    """The officers a user picks from: the record's unit's, else the user's own unit's
    (everyone's for a brigade-wide user without a unit)."""
    scope = scope_of(user)
    qs = Officer.objects.visible_to(user).active().select_related("unit")
    if record is not None:
        qs = qs.filter(unit_id=record.unit_id)
    elif scope.officer is not None:
        qs = qs.filter(unit_id=scope.officer.unit_id)
    return qs.order_by("badge_no")


EVENT_FIELDS = (
    "held_on",
    "venue_kind",
    "venue_name",
    "topic",
    "audience",
    "consultations",
    "materials",
    "notes",
)
ASSISTANCE_FIELDS = ("kind", "occurred_at", "location", "outcome", "description")


class PublicityEventForm(BootstrapForm):
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput, validators=[happened_validator(_("Date"))]
    )
    venue_kind = forms.ChoiceField(
        label=_("Venue kind"), choices=VenueKind.choices, widget=forms.RadioSelect
    )
    venue_name = forms.CharField(
        label=_("Venue"), max_length=150, help_text=_("The school, company, community ...")
    )
    topic = forms.CharField(label=_("Topic"), max_length=200)
    officers = _officers_field(_("Officers present"))
    audience = _count(_("People educated"))
    consultations = _count(_("Consultations answered"), required=False)
    materials = _count(_("Materials handed out"), required=False)
    confirm_large_audience = forms.BooleanField(
        label=_("Yes, over 100,000 people were there"), required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Outreach campaign"), queryset=OutreachCampaign.objects.none(), required=False
    )
    photos = PhotosField(label=_("Photos"), required=False)
    notes = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, user: Visitor, event: PublicityEvent | None = None, **kwargs: Any
    ) -> None:
        if event is not None:
            # correcting an event: its values, and photos are added on its own page
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(event, name) for name in EVENT_FIELDS},
                    "campaign": event.campaign_id,
                    "officers": [o.pk for o in event.officers.all()],
                },
            )
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["held_on"].initial = today
        self.fields["held_on"].widget.attrs["max"] = today.isoformat()
        limit_choices(self, "officers", _unit_officers(user, event))
        me = scope_of(user).officer
        if me is not None and event is None:
            self.fields["officers"].initial = [me.pk]
        campaigns: BrigadeWideQuerySet = OutreachCampaign.objects.visible_to(user)
        if event is None:
            campaigns = campaigns.current(today)
        limit_choices(self, "campaign", campaigns, _("— none —"))
        if event is not None:
            del self.fields["photos"]

    def clean_consultations(self) -> int:
        return self.cleaned_data.get("consultations") or 0

    def clean_materials(self) -> int:
        return self.cleaned_data.get("materials") or 0


class PhotoForm(BootstrapForm):
    photos = PhotosField(label=_("Photos"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class AssistanceForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=AssistanceKind.choices, widget=forms.RadioSelect
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Where"), max_length=200)
    outcome = forms.CharField(
        label=_("Outcome"), max_length=200, help_text=_("e.g. taken to hospital, home safe")
    )
    officers = _officers_field(_("Officers"))
    description = TextFormField(
        max_length=TEXT_LENGTH,
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, user: Visitor, assistance: AssistanceEvent | None = None, **kwargs: Any
    ) -> None:
        if assistance is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(assistance, name) for name in ASSISTANCE_FIELDS},
                    "occurred_at": timezone.localtime(assistance.occurred_at),
                    "officers": [o.pk for o in assistance.officers.all()],
                },
            )
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].initial = now
        limit_choices(self, "officers", _unit_officers(user, assistance))
        me = scope_of(user).officer
        if me is not None and assistance is None:
            self.fields["officers"].initial = [me.pk]


class CommendationForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CommendationKind.choices,
        initial=CommendationKind.BANNER,
        widget=forms.RadioSelect,
    )
    giver = forms.CharField(label=_("Given by"), max_length=150)
    wording = forms.CharField(label=_("Wording"), max_length=200, required=False)
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput,
        validators=[happened_validator(_("Received on"))],
    )
    officer = forms.ModelChoiceField(
        label=_("To officer"), queryset=Officer.objects.none(), required=False
    )
    recipient_unit = forms.ModelChoiceField(
        label=_("To unit"), queryset=Unit.objects.none(), required=False
    )
    reason = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("For what"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        validators=[validate_image],
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args: Any, user: Visitor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        none = _("— none —")
        limit_choices(
            self,
            "officer",
            Officer.objects.visible_to(user).active().select_related("unit").order_by("badge_no"),
            none,
        )
        limit_choices(self, "recipient_unit", Unit.objects.visible_to(user), none)


class StationTallyForm(forms.Form):
    delta = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1")], coerce=int)


def english_name_field() -> forms.Field:
    """The optional English name of a record people name, as the model declares it
    (``NamedRecord.name_en``: label, length, help)."""
    field = OutreachCampaign._meta.get_field("name_en").formfield()
    assert field is not None
    return field


CAMPAIGN_FIELDS = (
    "name",
    "name_en",
    "partner",
    "unit",
    "starts_on",
    "ends_on",
    "goal_kind",
    "goal_target",
    "description",
)
STATION_FIELDS = (
    "name",
    "name_en",
    "unit",
    "location",
    "post",
    "opening_hours",
    "services",
    "opened_on",
    "is_active",
)


def _initial(record: Model, fields: tuple[str, ...]) -> dict[str, object]:
    initial: dict[str, object] = {}
    for name in fields:
        value = getattr(record, name)
        initial[name] = value.pk if hasattr(value, "pk") else value
    return initial


class CampaignForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = english_name_field()
    partner = forms.CharField(
        label=_("Partner"),
        max_length=100,
        required=False,
        help_text=_("e.g. the education bureau"),
    )
    unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=forms.DateInput,
        validators=[planned_validator(_("Starts on"))],
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        widget=forms.DateInput,
        required=False,
        validators=[planned_validator(_("Ends on"))],
    )
    goal_kind = forms.ChoiceField(label=_("Goal"), choices=GoalKind.choices)
    goal_target = forms.IntegerField(label=_("Target"), min_value=1)
    description = TextFormField(
        max_length=TEXT_LENGTH,
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, user: Visitor, campaign: OutreachCampaign | None = None, **kwargs: Any
    ) -> None:
        if campaign is not None:
            kwargs.setdefault("initial", _initial(campaign, CAMPAIGN_FIELDS))
        super().__init__(*args, **kwargs)
        limit_choices(self, "unit", Unit.objects.visible_to(user))


class StationForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = english_name_field()
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    location = forms.CharField(label=_("Where"), max_length=200)
    post = forms.ModelChoiceField(
        label=_("Kiosk or post"), queryset=DutyPost.objects.none(), required=False
    )
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=100)
    services = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("Services"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Water, hot meals, phone charging, a rest ..."),
    )
    opened_on = forms.DateField(
        label=_("Opened on"),
        widget=forms.DateInput,
        validators=[happened_validator(_("Opened on"))],
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("station", "Open"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, user: Visitor, station: LoveStation | None = None, **kwargs: Any
    ) -> None:
        if station is not None:
            kwargs.setdefault("initial", _initial(station, STATION_FIELDS))
        super().__init__(*args, **kwargs)
        limit_choices(self, "unit", Unit.objects.visible_to(user))
        limit_choices(
            self,
            "post",
            DutyPost.objects.visible_to(user).select_related("unit").filter(is_active=True),
            _("— none —"),
        )
