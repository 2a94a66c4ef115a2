"""The lists' filters (brigade/core/filters.py), walked over every FilterSet of the project:
a period that ends before it starts is refused (form, page and API), each select offers one
empty choice ("All"; "Default order" for a sort), a yes/no filter offers All/Yes/No, and a
sort's labels are whole in each language."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

import django_filters
import pytest
from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from brigade.core.filters import FilterSet, SortFilter, date_range
from brigade.core.roles import Role
from brigade.duty.models import Unit
from tests.brigade.factories import UserFactory

# Every module that declares FilterSets (imported so that the walk sees them all).
MODULES = [
    "brigade.duty.filtersets",
    "brigade.core.reveal_log",
    "hazards.filtersets",
    "incidents.filtersets",
    "outreach.filtersets",
    "petitions.filtersets",
]
FIRST, LAST = "2026-05-02", "2026-05-01"  # the last day before the first
APPS = {"brigade", "hazards", "incidents", "outreach", "petitions"}
CJK = re.compile(r"[\u3400-\u9fff]")


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_filtersets() -> list[type[django_filters.FilterSet]]:
    for module in MODULES:
        importlib.import_module(module)
    found = {
        cls
        for cls in _subclasses(django_filters.FilterSet)
        if cls.__module__.split(".")[0]
        in {"brigade", "hazards", "incidents", "outreach", "petitions"}
        and cls._meta.model is not None
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def date_pairs(filterset: type[django_filters.FilterSet]) -> list[tuple[str, str]]:
    """The (first, last) day filters on one field, found from the filters themselves (a
    ``gte`` and an ``lte`` date filter on the same field), not from how they were made."""
    starts: dict[str, str] = {}
    ends: dict[str, str] = {}
    for name, filter_ in filterset.base_filters.items():
        if not isinstance(filter_, django_filters.DateFilter) or filter_.method is not None:
            continue
        lookup = filter_.lookup_expr.split("__")[-1]
        if lookup == "gte":
            starts[filter_.field_name] = name
        elif lookup == "lte":
            ends[filter_.field_name] = name
    return [(starts[field], ends[field]) for field in starts if field in ends]


FILTERSETS = project_filtersets()
WITH_RANGES = [cls for cls in FILTERSETS if date_pairs(cls)]


def _id(cls: type) -> str:
    return cls.__name__


def test_the_walk_finds_the_lists_with_date_filters():
    names = {cls.__name__ for cls in WITH_RANGES}
    assert {
        "HazardFilterSet",
        "TicketFilterSet",
        "AccidentFilterSet",
        "FundAdvanceFilterSet",
        "PatrolLogFilterSet",
        "PublicityEventFilterSet",
        "RevealLogFilterSet",
    } <= names
    assert len(WITH_RANGES) >= 15


@pytest.mark.parametrize("filterset", FILTERSETS, ids=_id)
def test_every_filterset_stands_on_the_core_base(filterset):
    assert issubclass(filterset, FilterSet), f"{filterset.__name__}: use brigade.core.filters"


@pytest.mark.django_db
@pytest.mark.parametrize("filterset", WITH_RANGES, ids=_id)
def test_every_date_range_refuses_an_end_before_its_start(filterset):
    for first, last in date_pairs(filterset):
        with translation.override("en"):
            refused = filterset(data={first: FIRST, last: LAST})
            assert not refused.is_valid()
            assert refused.errors[last] == ["The end date cannot be before the start date."]
            assert first not in refused.errors
        with translation.override("zh-hans"):
            refused = filterset(data={first: FIRST, last: LAST})
            assert refused.errors[last] == ["结束日期不能早于开始日期。"]
        # the same day twice, or either day alone, is a period
        assert filterset(data={first: FIRST, last: FIRST}).is_valid()
        assert filterset(data={first: FIRST}).is_valid()
        assert filterset(data={last: LAST}).is_valid()


def test_a_date_range_knows_its_pair_by_its_names():
    class Sample(FilterSet):
        paid_from, paid_to = date_range("paid_at", of_time=True)
        seen_from, seen_to = date_range("seen_on")

    sample = Sample(data={}, queryset=Unit.objects.none())
    assert sample.date_ranges() == (("paid_from", "paid_to"), ("seen_from", "seen_to"))


def _selects(form: forms.Form) -> Iterator[tuple[str, forms.Field, list[tuple[Any, str]]]]:
    for name, field in form.fields.items():
        widget = form[name].field.widget
        if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
            yield name, field, [(value, str(label)) for value, label in widget.choices]


@pytest.mark.django_db
@pytest.mark.parametrize("filterset", FILTERSETS, ids=_id)
@pytest.mark.parametrize(
    ("lang", "all_", "yes", "no"), [("en", "All", "Yes", "No"), ("zh-hans", "全部", "是", "否")]
)
def test_every_select_offers_one_empty_choice(filterset, lang, all_, yes, no):
    with translation.override(lang):
        form = filterset(data={}).form
        selects = list(_selects(form))
        for name, field, choices in selects:
            empty = [label for value, label in choices if value in ("", None)]
            labels = [label for _value, label in choices]
            assert len(empty) == 1, f"{filterset.__name__}.{name}: {labels}"
            assert "---------" not in labels, f"{filterset.__name__}.{name}"
            if isinstance(filterset.base_filters[name], django_filters.OrderingFilter):
                assert empty == [str(translation.gettext("Default order"))]
            else:
                assert empty == [all_], f"{filterset.__name__}.{name}: {labels}"
            if isinstance(field, forms.NullBooleanField):
                assert choices == [("", all_), ("true", yes), ("false", no)]


@pytest.mark.django_db
def test_a_yes_no_filter_reads_all_yes_and_no():
    from hazards.filtersets import HazardFilterSet

    for value, expected in (("", None), ("true", True), ("false", False)):
        filterset = HazardFilterSet(data={"is_open": value})
        assert filterset.is_valid()
        assert filterset.form.cleaned_data["is_open"] is expected


SORTS = [
    (cls, name)
    for cls in FILTERSETS
    for name, filter_ in cls.base_filters.items()
    if isinstance(filter_, django_filters.OrderingFilter)
]


def test_every_sort_is_the_core_sort():
    assert SORTS
    for cls, name in SORTS:
        assert isinstance(cls.base_filters[name], SortFilter), f"{cls.__name__}.{name}"


@pytest.mark.django_db
@pytest.mark.parametrize(("filterset", "name"), SORTS, ids=lambda v: getattr(v, "__name__", v))
def test_sort_labels_are_whole_in_each_language(filterset, name):
    with translation.override("en"):
        labels = [label for value, label in _choices(filterset, name) if value]
        assert labels and not any(CJK.search(label) for label in labels), labels
        assert all(label.endswith((" (ascending)", " (descending)")) for label in labels)
    with translation.override("zh-hans"):
        labels = [label for value, label in _choices(filterset, name) if value]
        assert all(CJK.search(label) for label in labels), labels
        assert not any("ascending" in label or "descending" in label for label in labels)
        assert all(label.endswith(("（升序）", "（降序）")) for label in labels), labels


def _choices(filterset: type, name: str) -> list[tuple[str, str]]:
    widget = filterset(data={}).form.fields[name].widget
    return [(value, str(label)) for value, label in widget.choices]


def test_hazard_sort_labels_read_as_people_say_them():
    from hazards.filtersets import HazardFilterSet

    with translation.override("en"):
        labels = dict(_choices(HazardFilterSet, "sort"))
        assert labels["-found_at"] == "Found (descending)"
        assert labels[""] == "Default order"
    with translation.override("zh-hans"):
        labels = dict(_choices(HazardFilterSet, "sort"))
        assert labels["-found_at"] == "发现时间（降序）"
        assert labels["found_at"] == "发现时间（升序）"


# --- the pages and the API --------------------------------------------------------------------


def _list_urls() -> Iterator[tuple[str, type]]:
    """Every list address without a path parameter whose view filters with a FilterSet."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, type]]:
        for pattern in patterns:
            route = str(pattern.pattern)
            if route.startswith("^"):  # a router's: a plain list route only
                route = route.removeprefix("^").removesuffix("$")
                if any(sign in route for sign in "(?[\\.*+"):
                    continue
            if "<" in route:
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None) or getattr(
                    pattern.callback, "view_class", None
                )
                filterset = getattr(view, "filterset_class", None)
                actions = getattr(pattern.callback, "actions", None) or {}
                if filterset is not None and (not actions or actions.get("get") == "list"):
                    yield "/" + prefix + route, filterset

    yield from walk(get_resolver().url_patterns, "")


LIST_URLS = [(url, fs) for url, fs in _list_urls() if date_pairs(fs)]


def test_the_walk_finds_the_pages_and_the_api_lists_with_date_filters():
    urls = {url for url, _fs in LIST_URLS}
    assert any(url.startswith("/api/") for url in urls)
    assert any(not url.startswith("/api/") for url in urls)
    assert "/petitions/" in urls
    assert "/hazards/" in urls


@pytest.fixture
def admin(db):
    return UserFactory(username="filter_admin", roles=[Role.ADMIN])


@pytest.mark.parametrize(("url", "filterset"), LIST_URLS, ids=lambda v: getattr(v, "__name__", v))
def test_every_list_refuses_an_end_before_its_start(client, api, admin, url, filterset):
    first, last = date_pairs(filterset)[0]
    query = {first: FIRST, last: LAST}
    if url.startswith("/api/"):
        api.force_authenticate(admin)
        answer = api.get(url, query, headers={"Accept-Language": "en"})
        assert answer.status_code == 400, (url, answer.content[:300])
        assert answer.json()[last] == ["The end date cannot be before the start date."]
        assert api.get(url, {first: LAST, last: FIRST}).status_code == 200
    else:
        client.force_login(admin)
        page = client.get(url, query, headers={"Accept-Language": "en"})
        assert page.status_code == 200, url
        html = page.content.decode()
        # the page says the filter is wrong; it does not say the list is empty
        assert 'data-testid="filter-refused"' in html, url
        assert 'data-testid="empty-state"' not in html, url
        assert "The end date cannot be before the start date." in html, url


# --- other periods ------------------------------------------------------------------------------


def test_the_report_and_the_records_refuse_an_end_before_the_start(api, admin):
    api.force_authenticate(admin)
    period = {"from": "2026-05-02", "to": "2026-05-01"}
    for url in ("/api/v1/dashboard/report/", "/api/v1/dashboard/records/"):
        query = period if "report" in url else {**period, "figure": "x"}
        answer = api.get(url, query, headers={"Accept-Language": "en"})
        assert answer.status_code == 400, (url, answer.content[:300])
        assert answer.json()["to"] == ["The end of the period cannot be before its start."]
