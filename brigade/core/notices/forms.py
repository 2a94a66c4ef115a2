"""The forms of the notices pages: a person's channels and kinds of notice, and what a
"mute" button posts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from brigade.core.forms import BootstrapForm


class PreferenceForm(BootstrapForm):
    """How a person is told (the notices in the app are always there)."""

    by_email = forms.BooleanField(
        label=_("By e-mail"), required=False, help_text=_("To the address of your account.")
    )
    by_webhook = forms.BooleanField(
        label=_("In the unit's group chat"),
        required=False,
        help_text=_("Escalations go to the group robot of your unit, where one is set."),
    )
    reminders = forms.BooleanField(label=_("Reminders before a deadline"), required=False)
    digest = forms.BooleanField(label=_("The daily digest"), required=False)


class MuteForm(BootstrapForm):
    """What a notice's "mute" button mutes: the record it is about, or its kind of work."""

    ITEM, KIND = "item", "kind"
    what = forms.ChoiceField(choices=[(ITEM, _("This record")), (KIND, _("This kind of work"))])
