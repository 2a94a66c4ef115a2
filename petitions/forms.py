"""Page forms of the petitions app: they only read input; the services decide.

Choice fields offer only what the signed-in user may see (``visible_to``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brigade.core.fields import NOTE_LENGTH, TEXT_LENGTH, IdentifierFormField, TextFormField
from brigade.core.forms import style_fields
from brigade.core.timecheck import planned_validator
from brigade.core.typing import Visitor
from brigade.duty.models import Officer, Unit
from petitions.choices import CallbackResult, ConsultationChannel, ReplyMode, TicketChannel
from petitions.models import Proposal, TicketCategory


class _Styled:
    def _style(self) -> None:
        style_fields(self)  # type: ignore[arg-type]


class TicketForm(_Styled, forms.Form):
    """Enter one ticket by hand."""

    number = IdentifierFormField(label=_("Platform number"), max_length=40)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=TicketChannel.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=TicketCategory.objects.none())
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    citizen_name = forms.CharField(label=_("Citizen's name"), max_length=50, required=False)
    citizen_phone = forms.CharField(label=_("Citizen's phone"), max_length=30, required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    content = TextFormField(
        max_length=TEXT_LENGTH, label=_("Content"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Visitor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.visible_to(user)  # type: ignore[attr-defined]
        self.initial.setdefault("received_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        self._style()


class ImportForm(_Styled, forms.Form):
    file = forms.FileField(
        label=_("Export of the 12345 platform (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class AssignForm(_Styled, forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=Officer.objects.none())

    def __init__(self, *args: Any, unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = Officer.objects.filter(  # type: ignore[attr-defined]
            unit_id=unit_id, is_active=True
        )
        self._style()


class ReplyForm(_Styled, forms.Form):
    text = TextFormField(
        max_length=TEXT_LENGTH,
        label=_("Reply to the citizen"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class CallbackForm(_Styled, forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=CallbackResult.choices, widget=forms.RadioSelect
    )
    notes = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ReasonForm(_Styled, forms.Form):
    reason = TextFormField(
        max_length=NOTE_LENGTH, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ReopenForm(_Styled, forms.Form):
    reason = TextFormField(
        max_length=NOTE_LENGTH,
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ExtendForm(_Styled, forms.Form):
    new_due = forms.DateField(
        label=_("New closing deadline"),
        widget=forms.DateInput(),
        validators=[planned_validator(_("New closing deadline"))],
    )
    reason = TextFormField(
        max_length=NOTE_LENGTH, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )


class ConsultationForm(_Styled, forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=ConsultationChannel.choices, widget=forms.RadioSelect
    )
    topic = forms.CharField(label=_("Question"), max_length=200)
    answer = TextFormField(
        max_length=TEXT_LENGTH,
        label=_("Answer given"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    answered_by = forms.ModelChoiceField(
        label=_("Answered by"), queryset=Officer.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Visitor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)  # type: ignore[attr-defined]
        self.fields["answered_by"].queryset = Officer.objects.visible_to(user).active()  # type: ignore[attr-defined]
        self._style()


class ProposalForm(_Styled, forms.ModelForm):
    class Meta:
        model = Proposal
        fields = list(Proposal.ENTERED_FIELDS)
        widgets = {
            "received_on": forms.DateInput(),
            "due_on": forms.DateInput(),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Visitor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)  # type: ignore[attr-defined]
        self.fields["handler"].queryset = Officer.objects.visible_to(user).active()  # type: ignore[attr-defined]
        self._style()


class ProposalAnswerForm(_Styled, forms.Form):
    reply_mode = forms.ChoiceField(
        label=_("Reply mode"), choices=ReplyMode.choices, widget=forms.RadioSelect
    )
    reply = TextFormField(
        max_length=TEXT_LENGTH,
        label=_("Reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class PlatformExportForm(_Styled, forms.Form):
    """The next export for the 12345 platform: the actions done up to the end of a day."""

    until = forms.DateField(
        label=_("Actions done up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: up to now. What an earlier export took is never taken again."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_until(self) -> Any:
        from brigade.core import dates

        value = self.cleaned_data.get("until")
        if value is not None and not dates.in_window(value, dates.HAPPENED):
            raise forms.ValidationError(dates.message(dates.HAPPENED, _("Actions done up to")))
        return value
