"""URL patterns written from a model's name: a page of a model is named ``<model>_<page>``
and stands at the path its page name gives; an API route's basename is its prefix in the
singular."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.urls import URLPattern, path
from django.views import View
from rest_framework.routers import DefaultRouter

# Where a model's pages stand below its prefix; any other page ``name`` is an action on one
# record, at ``<int:pk>/name/`` (its underscores written as hyphens), unless its path is given.
PAGE_PATHS = {"list": "", "create": "new/", "detail": "<int:pk>/"}

# A page's view, or its path below the prefix and its view.
Page = type[View] | tuple[str, type[View]]


def page_path(page: str) -> str:
    if page in PAGE_PATHS:
        return PAGE_PATHS[page]
    return f"<int:pk>/{page.replace('_', '-')}/"


def model_pages(model: str, prefix: str, pages: dict[str, Page]) -> list[URLPattern]:
    """The pages of one model (``model`` is its lower-case name), in the order given:
    ``model_pages("hazard", "", {"list": HazardListView, "edit": HazardEditView})`` mounts
    ``hazard_list`` at the prefix and ``hazard_edit`` at ``<int:pk>/edit/`` below it;
    ``{"map": ("map/", HazardMapView)}`` mounts ``hazard_map`` at ``map/`` below it."""
    patterns = []
    for page, entry in pages.items():
        route, view = entry if isinstance(entry, tuple) else (page_path(page), entry)
        patterns.append(path(f"{prefix}{route}", view.as_view(), name=f"{model}_{page}"))
    return patterns


def page_name(model: type[Model] | Model, page: str) -> str:
    """The URL name ``model_pages`` gives a page of ``model`` (a model or one of its records),
    in its app's namespace: ``page_name(station, "detail")`` is ``outreach:lovestation_detail``."""
    return f"{model._meta.app_label}:{model._meta.model_name}_{page}"


def basename(prefix: str) -> str:
    """An API route's basename: its prefix in the singular (``recoveries`` → ``recovery``,
    ``key-vehicles`` → ``key-vehicle``; ``assistance`` stays)."""
    if prefix.endswith("ies"):
        return prefix[: -len("ies")] + "y"
    return prefix.removesuffix("s")


def api_routes(viewsets: dict[str, Any]) -> list[Any]:
    """The routes of an app's API: each viewset at its prefix, with its ``basename``."""
    router = DefaultRouter()
    for prefix, viewset in viewsets.items():
        router.register(prefix, viewset, basename=basename(prefix))
    return router.urls
