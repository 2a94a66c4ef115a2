"""What the apps' pages share beyond the base classes of ``brigade.core.views``: export
columns read from the model's fields, the answer that sends an htmx request elsewhere, and
the base of a POST action on one record."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.views import View

from brigade.core.permissions import RoleRequiredMixin
from brigade.core.spreadsheets import Column
from brigade.core.views import is_htmx

# A column read from a field: its path (``"unit.name"``: the unit's name under the unit
# field's name), or the path and the column's width.
FieldSpec = str | tuple[str, int]

# A column's width by the kind of its field, where no width is given.
DATETIME_WIDTH = 18
DATE_WIDTH = 12


def default_width(field: object) -> int:
    if isinstance(field, models.DateTimeField):
        return DATETIME_WIDTH
    if isinstance(field, models.DateField):
        return DATE_WIDTH
    return Column.width


def field_column(model: type[Model], spec: FieldSpec) -> Column:
    """The column of one field of ``model``, headed by the field's verbose name, as wide as
    its kind wants (``default_width``) unless given; a field with choices shows its
    choice's label (``get_<field>_display``)."""
    path, width = (spec, None) if isinstance(spec, str) else spec
    name = path.split(".")[0]
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), path  # a column of the model's own fields
    if width is None:
        width = default_width(field)
    value = f"get_{name}_display" if path == name and getattr(field, "choices", None) else path
    return Column(capfirst(field.verbose_name), value, width=width)


def field_columns(model: type[Model], *specs: FieldSpec | Column) -> tuple[Column, ...]:
    """Export columns in the order given: a field's (``field_column``) or a column written
    out, where the header or the value is not a field's."""
    return tuple(spec if isinstance(spec, Column) else field_column(model, spec) for spec in specs)


def go_to(request: HttpRequest, url_name: str) -> HttpResponse:
    """Send the browser to ``url_name``: for htmx, an empty answer naming the page (htmx
    follows the ``HX-Redirect`` header), else a redirect."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(url_name)
        return response
    return redirect(url_name)


class RecordActionView(RoleRequiredMixin, View):
    """A POST action on one record of ``model`` that the user may see (another's is a
    404): ``get_record`` reads it from the URL's ``pk``."""

    http_method_names = ["post"]
    model: type[Model]

    def get_record(self) -> Any:
        records = self.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
        return get_object_or_404(records, pk=self.kwargs["pk"])
