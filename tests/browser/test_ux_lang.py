"""Filters and names in both languages, on a 1366×768 desktop and a 360 px phone: the hazard
list's sort reads whole in the page's language, each select has one empty choice ("All"), a
yes/no filter offers All/Yes/No, a period that ends before it starts is refused under its
last day (the list does not claim to be empty), and a 12345 category typed in both languages
shows in English on the English pages.

Screenshots: artifacts/screenshots/<test>/NN-<step>.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.browser.conftest import PHONE, Shots
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

PASSWORD = "pw-for-tests-1"
DESKTOP = {"width": 1366, "height": 768}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
TEXT = {
    "zh-hans": {
        "sort": ["默认顺序", "发现时间（升序）", "发现时间（降序）", "整改期限（升序）"],
        "yes_no": ["全部", "是", "否"],
        "all": "全部",
        "refused": "结束日期不能早于开始日期。",
        "category": "交通拥堵",
        "not": "Congestion",
    },
    "en": {
        "sort": [
            "Default order",
            "Found (ascending)",
            "Found (descending)",
            "Deadline (ascending)",
        ],
        "yes_no": ["All", "Yes", "No"],
        "all": "All",
        "refused": "The end date cannot be before the start date.",
        "category": "Congestion",
        "not": "交通拥堵",
    },
}


@pytest.fixture
def desk(db):
    """A brigade commander (every unit) with one ticket whose category has both names."""
    hq = UnitFactory(code="hq", name="大队部", name_en="Brigade HQ", kind=UnitKind.HEADQUARTERS)
    user = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=user, unit=hq, name="王建国")
    category = TicketCategoryFactory(code="jam", name="交通拥堵", name_en="Congestion")
    return TicketFactory(category=category, unit=hq, number="20220613001")


def _page(browser, live_server, request, lang: str, size: str):  # type: ignore[no-untyped-def]
    phone = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size],
        locale="en-US" if lang == "en" else "zh-CN",
        base_url=live_server.url,
        **({"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if phone else {}),
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    shots = Shots(page, request.node.name)
    page.goto("/accounts/login/")
    page.get_by_test_id(f"lang-{lang}").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.fill("input[name=username]", "wangjg")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    return context, page, shots


def _options(page, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        text.strip()
        for text in page.locator(
            f"[data-testid=filter-form] select[name={name}] option"
        ).all_text_contents()
    ]


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_hazard_filters_read_whole_and_refuse_a_backwards_period(
    browser, live_server, desk, request, lang, size
):
    text = TEXT[lang]
    context, page, shots = _page(browser, live_server, request, lang, size)
    try:
        page.goto("/hazards/?date_from=2022-06-30&date_to=2022-06-01")
        form = page.get_by_test_id("filter-form")
        expect(form).to_be_visible()  # the filter opens by itself to show what is wrong

        # the period is refused under its last day, and the list does not say "empty"
        error = form.locator("#id_date_to ~ .invalid-feedback")
        expect(error).to_have_text(text["refused"])
        expect(page.get_by_test_id("filter-refused")).to_be_visible()
        expect(page.get_by_test_id("empty-state")).to_have_count(0)
        expect(page.get_by_test_id("export-xlsx")).to_have_count(0)  # nothing to export
        field, message = form.locator("#id_date_to").bounding_box(), error.bounding_box()
        assert field and message
        assert 0 <= message["y"] - (field["y"] + field["height"]) < 24, (field, message)
        assert message["x"] + message["width"] <= SIZES[size]["width"]

        # the sort reads whole in the page's language; one empty choice per select
        sort = _options(page, "sort")
        assert sort[:4] == text["sort"], sort
        if lang == "zh-hans":
            assert not any("ascending" in o or "descending" in o for o in sort), sort
        assert _options(page, "is_open") == text["yes_no"]
        for name in ("status", "element", "severity", "source", "unit"):
            options = _options(page, name)
            assert options[0] == text["all"] and "---------" not in options, (name, options)
            assert options.count(text["all"]) == 1, (name, options)
        form.locator("#id_date_to").scroll_into_view_if_needed()
        shots("refused-period")

        # put right, the list comes back
        form.locator("#id_date_from").fill("2022-06-01")
        form.locator("#id_date_to").fill("2022-06-30")
        page.get_by_test_id("filter-apply").click()
        expect(page.get_by_test_id("filter-refused")).to_have_count(0)
        expect(form.locator(".invalid-feedback")).to_have_count(0)
        expect(page.get_by_test_id("export-xlsx")).to_be_visible()
        shots("period-fixed")
    finally:
        context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_category_shows_in_the_page_language(browser, live_server, desk, request, lang, size):
    text = TEXT[lang]
    context, page, shots = _page(browser, live_server, request, lang, size)
    try:
        page.goto("/petitions/")
        # the category filter offers the category by its name in this language
        page.get_by_test_id("filters-toggle").click()
        assert text["category"] in _options(page, "category")
        assert text["not"] not in _options(page, "category")
        if size == "desktop":
            row = page.get_by_test_id("ticket-table").locator("tbody tr").first
            expect(row).to_contain_text(text["category"])
            expect(row).not_to_contain_text(text["not"])
        shots("queue")
        # the ticket's own page names it the same way
        page.goto(reverse("petitions:ticket_detail", args=[desk.pk]))
        main = page.locator("main")
        expect(main).to_contain_text(text["category"])
        expect(main).not_to_contain_text(text["not"])
        shots("ticket")
    finally:
        context.close()
