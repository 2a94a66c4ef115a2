"""The form base every page form builds on: Bootstrap classes on every widget, the date
window on date pickers, a service's ValidationError shown on the form's fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError

from brigade.core import dates

T = TypeVar("T")


def style_fields(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class (also used on the FilterSet forms)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if isinstance(widget, forms.DateInput):
            # The browser's date picker reads and writes ISO dates, whatever the language.
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
            for validator in field.validators:
                if isinstance(validator, dates.DateWindowValidator):
                    # The picker offers only the window's days (the server checks anyway).
                    first, last = dates.bounds(validator.kind)
                    widget.attrs.update(min=first.isoformat(), max=last.isoformat())
        existing = widget.attrs.get("class", "")
        widget.attrs["class"] = f"{existing} {css}".strip()


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field if the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        invalid = [name for name in self.errors if name in self.fields]
        for name in invalid:
            widget = self.fields[name].widget
            css = widget.attrs.get("class", "")
            if "is-invalid" not in css:
                widget.attrs["class"] = f"{css} is-invalid".strip()
        if invalid and not any(f.widget.attrs.get("autofocus") for f in self.fields.values()):
            # On a long phone page the browser scrolls to the field that needs fixing.
            self.fields[invalid[0]].widget.attrs["autofocus"] = True


def limit_choices(form: forms.BaseForm, name: str, queryset: Any, empty_label: Any = None) -> None:
    """Offer only ``queryset`` (the user's scope) in the model choice field ``name``."""
    field = cast(forms.ModelChoiceField, form.fields[name])
    field.queryset = queryset
    if empty_label is not None:
        field.empty_label = empty_label


@dataclass(frozen=True)
class Submitted(Generic[T]):
    """What ``submit`` did: ``ok`` when the service ran (``result`` is its answer)."""

    ok: bool
    result: T | None = None


def submit(form: forms.BaseForm, service: Callable[[dict[str, Any]], T]) -> Submitted[T]:
    """Form → service → errors, once for every page: validate the form, call the service
    with its cleaned data, and show a ValidationError the service raises on the form's
    fields. A refused transition (``TransitionNotAllowed``) is the caller's to answer."""
    if not form.is_valid():
        return Submitted(ok=False)
    try:
        result = service(form.cleaned_data)
    except ValidationError as error:
        apply_service_errors(form, error)
        return Submitted(ok=False)
    return Submitted(ok=True, result=result)
