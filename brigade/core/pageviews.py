"""What the apps' pages share beyond the base classes of ``brigade.core.views``: the
answer that sends an htmx request elsewhere, and the base of a POST action on one record."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from brigade.core.permissions import RoleRequiredMixin
from brigade.core.urls import page_name
from brigade.core.views import PostOnlyMixin, is_htmx


def go_to(request: HttpRequest, url_name: str) -> HttpResponse:
    """Send the browser to ``url_name``: for htmx, an empty answer naming the page (htmx
    follows the ``HX-Redirect`` header), else a redirect."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(url_name)
        return response
    return redirect(url_name)


class RecordActionView(PostOnlyMixin, RoleRequiredMixin, View):
    """A POST action on one record of ``model`` that the user may see (another's is a
    404): ``get_record`` reads it from the URL's ``pk``. Landed on by GET, it sends the
    browser to the record's page (``PostOnlyMixin``), a record out of scope being a 404
    there and then, as for POST."""

    http_method_names = ["post"]
    model: type[Model]

    def get_landing_url(self) -> str:
        self.get_record()  # out of scope: 404, not a redirect to a page that would say so
        if self.landing:
            return super().get_landing_url()
        return reverse(page_name(self.model, "detail"), kwargs={"pk": self.kwargs["pk"]})

    def get_record(self) -> Any:
        records = self.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
        return get_object_or_404(records, pk=self.kwargs["pk"])
