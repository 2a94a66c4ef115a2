"""Page base classes every app's views build on: the scoped, filtered, paginated list, the
"form → service → errors" write, the landing page each role is sent to, and what an
address that only takes a form's POST answers when a browser lands on it."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Model, Prefetch
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.views import View
from django.views.generic.base import ContextMixin
from django_filters.views import FilterView

from brigade.core.forms import style_fields
from brigade.core.nav import landing_pages
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.scope import scope_of

PAGE_SIZE = 25
# Filters that choose a record of the user's scope (a unit, an officer, a post, a road-works
# zone, a campaign): their choices are that record's ``visible_to(user)``.
SCOPED_CHOICES = ("unit", "officer", "post", "zone", "campaign")


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


class PostOnlyMixin:
    """The rule for every address a form posts to: no page address answers 405.

    A browser lands on a form's POST address by GET too: reloading the page that re-rendered
    an invalid form there, a phone restoring the tab, a link copied from the address bar.
    That GET is sent (302) to the page the form belongs to, ``landing`` (a URL name,
    reversed with the address's own arguments, e.g. the record's ``pk``; override
    ``get_landing_url`` when the page takes other arguments). It writes nothing, and the
    view's own checks run first: without the role it is 403, and the landing page answers
    404 for a record out of scope. POST is unchanged.

    A subclass that narrows ``http_method_names`` to ``["post"]`` still gets GET here.
    """

    landing = ""
    kwargs: dict[str, Any]
    http_method_names: Sequence[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        methods = list(getattr(cls, "http_method_names", ()))
        if "get" not in methods:
            cls.http_method_names = ["get", *methods]

    def get_landing_url(self) -> str:
        assert self.landing, f"{type(self).__name__} names no landing page"
        return reverse(self.landing, kwargs=self.kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect(self.get_landing_url())


class LogoutView(PostOnlyMixin, auth_views.LogoutView):
    """Signing out is a POST (Django's CSRF rule); a GET (an old bookmark, a restored tab)
    goes home, which is the sign-in page once signed out."""

    landing = "home"


class HomeView(LoginRequiredMixin, View):
    """Send each role to its landing page (registered by the apps, ``landing_pages``)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = scope_of(request.user)
        for link in landing_pages.all():
            if link.visible_to(scope):
                return redirect(link.url_name)
        return render(request, "brigade/no_role.html", status=403)


def _chosen_model(model: type[Model], path: str) -> type[Model]:
    """The model a filter's field path (``accident__unit``) ends at."""
    for name in path.split(LOOKUP_SEP):
        related = model._meta.get_field(name).related_model
        assert related is not None and not isinstance(related, str), path
        model = related
    return model


class PageContextMixin(ContextMixin):
    """What a page declares rather than computes: ``today`` (with ``show_today``), and a
    flag per role set (``role_flags = {"can_manage": STAFF}``: whether the user has one of
    those roles)."""

    show_today = False
    role_flags: Mapping[str, Collection[str]] = {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.show_today:
            context["today"] = timezone.localdate()
        for name, roles in self.role_flags.items():
            context[name] = has_role(self.request.user, roles)  # type: ignore[attr-defined]
        return context


class ScopedFilterListView(RoleRequiredMixin, PageContextMixin, FilterView):
    """A paginated list of records the user may see, filtered with the app's FilterSet.

    The records are of the FilterSet's model (``model`` need not be written). What each
    row reads is declared: ``use_for_list`` (the queryset's ``for_list()``, where the app
    defines what its list rows show), ``select_related``, ``prefetch_related`` and
    ``ordering``.

    ``filter_fields`` names the FilterSet fields the page shows; choice fields that point
    at units, officers, posts, zones or campaigns only offer records in the user's scope.
    The page's ``today`` and role flags are declared (``PageContextMixin``).
    """

    paginate_by = PAGE_SIZE
    template_name_suffix = "_list"
    filter_fields: tuple[str, ...] = ()
    page_title: str | Promise = ""
    use_for_list = False
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str | Prefetch, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.filterset_class is not None and "model" not in vars(cls):
            cls.model = cls.filterset_class._meta.model

    def get_queryset(self) -> Any:
        records = self.model.objects.visible_to(self.request.user)
        if self.use_for_list:
            records = records.for_list()
        if self.select_related:
            records = records.select_related(*self.select_related)
        if self.prefetch_related:
            records = records.prefetch_related(*self.prefetch_related)
        ordering = self.get_ordering()
        if ordering:
            records = records.order_by(*ordering)
        return records

    def get_filter_fields(self) -> list[str]:
        fields = list(self.filter_fields)
        if "unit" in fields and not scope_of(self.request.user).brigade_wide:
            fields.remove("unit")  # one unit: nothing to choose
        return fields

    def get_filterset(self, filterset_class: Any) -> Any:
        filterset = super().get_filterset(filterset_class)
        user = self.request.user
        for name in SCOPED_CHOICES:
            if name in filterset.filters:
                chooser = filterset.filters[name]
                model = _chosen_model(filterset._meta.model, chooser.field_name)
                chooser.queryset = model.objects.visible_to(user)  # type: ignore[attr-defined]
        # the selects' "All" choice is the form's own (brigade.core.filters.FilterForm)
        style_fields(filterset.form)
        return filterset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        context["filter_form_fields"] = [form[name] for name in self.get_filter_fields()]
        context["filters_active"] = any(
            self.request.GET.get(name) for name in self.get_filter_fields()
        )
        context["page_title"] = self.page_title
        return context
