"""Names people type, in two languages (brigade/core/modelbase.py): every named record takes
an optional English name, shown on English pages when given (else the Chinese one), in the
pages, the exports, the dashboard's units and the filters' choices; the admin, the API and
the ticket import take both."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from brigade.core.columns import columns
from brigade.core.kpi.scopes import visible_units
from brigade.core.modelbase import NamedRecord
from brigade.core.names import shown_name
from petitions import services
from petitions.models import Ticket, TicketCategory
from tests.brigade.factories import CampaignFactory
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-hans"}


def test_the_rule_shows_the_english_name_on_english_pages_only():
    assert shown_name("交通拥堵", "Congestion", "en") == "Congestion"
    assert shown_name("交通拥堵", "Congestion", "en-gb") == "Congestion"
    assert shown_name("交通拥堵", "Congestion", "zh-hans") == "交通拥堵"
    assert shown_name("交通拥堵", "", "en") == "交通拥堵"  # no English given: the Chinese
    assert shown_name("交通拥堵", None, "en") == "交通拥堵"
    with translation.override("en"):
        assert shown_name("交通拥堵", "Congestion") == "Congestion"
    with translation.override("zh-hans"):
        assert shown_name("交通拥堵", "Congestion") == "交通拥堵"


def test_every_named_record_takes_an_english_name():
    named = [m for m in apps.get_models() if issubclass(m, NamedRecord)]
    assert {m.__name__ for m in named} == {
        "Unit",
        "DutyPost",
        "Campaign",
        "RoadWorksZone",
        "SchoolBreak",
        "TicketCategory",
        "OutreachCampaign",
        "LoveStation",
        "Place",
    }
    for model in named:
        field = model._meta.get_field("name_en")
        assert field.blank and field.max_length == model._meta.get_field("name").max_length
        # kept in the history too
        assert "name_en" in {f.name for f in model.history.model._meta.fields}


@pytest.mark.django_db
def test_str_is_the_name_of_the_language():
    category = TicketCategoryFactory(code="jam", name="交通拥堵", name_en="Congestion")
    campaign = CampaignFactory(name="酒驾醉驾百日整治")
    with translation.override("en"):
        assert str(category) == category.shown_name == "Congestion"
        assert str(campaign) == "酒驾醉驾百日整治"  # no English name given
    with translation.override("zh-hans"):
        assert str(category) == "交通拥堵"


@pytest.mark.django_db
def test_the_queue_and_its_filter_show_the_category_in_the_page_language(client, clerk, unit):
    category = TicketCategoryFactory(code="jam", name="交通拥堵", name_en="Congestion")
    ticket = TicketFactory(category=category, unit=unit)
    client.force_login(clerk)
    english = client.get(reverse("petitions:ticket_list"), headers=EN).content.decode()
    assert f'<option value="{category.pk}">Congestion</option>' in english
    assert "交通拥堵" not in english
    chinese = client.get(reverse("petitions:ticket_list"), headers=ZH).content.decode()
    assert f'<option value="{category.pk}">交通拥堵</option>' in chinese
    assert "Congestion" not in chinese
    detail = client.get(reverse("petitions:ticket_detail", args=[ticket.pk]), headers=EN)
    assert "Congestion" in detail.content.decode()


@pytest.mark.django_db
def test_exports_and_the_dashboard_units_use_the_name_of_the_language(brigade_commander, unit):
    unit.name_en = "1st Squadron"
    unit.save()
    category = TicketCategoryFactory(code="jam", name="交通拥堵", name_en="Congestion")
    ticket = TicketFactory(category=category, unit=unit)
    unit_column, category_column = columns(Ticket, "unit.name category.name")
    with translation.override("en"):
        assert (unit_column.of(ticket), category_column.of(ticket)) == (
            "1st Squadron",
            "Congestion",
        )
        assert visible_units(brigade_commander)[unit.pk] == "1st Squadron"
    with translation.override("zh-hans"):
        assert (unit_column.of(ticket), category_column.of(ticket)) == ("一中队", "交通拥堵")
        assert visible_units(brigade_commander)[unit.pk] == "一中队"


@pytest.mark.django_db
def test_the_ticket_import_takes_the_category_in_either_language(clerk, unit):
    unit.name_en = "1st Squadron"
    unit.save()
    TicketCategoryFactory(code="jam", name="交通拥堵", name_en="Congestion")
    header = "工单编号,受理时间,诉求分类,诉求内容,承办单位,来源渠道,诉求人,联系电话,事发地点"
    rows = [
        "A001,2022-06-13 09:00,交通拥堵,花园路拥堵,一中队,12345,张三,13812345678,花园路",
        "A002,2022-06-13 10:00,congestion,花园路拥堵,1st Squadron,12345,李四,13812345679,花园路",
    ]
    text = "\n".join([header, *rows]) + "\n"
    upload = SimpleUploadedFile("export.csv", text.encode("utf-8"), content_type="text/csv")
    report = services.tickets_import(upload=upload, by=clerk)
    assert report.ok, report.errors
    assert set(Ticket.objects.values_list("category__code", "unit__code")) == {("jam", unit.code)}
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_the_admin_takes_and_finds_the_english_name(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    category = TicketCategoryFactory(code="jam", name="交通拥堵")
    url = reverse("admin:petitions_ticketcategory_change", args=[category.pk])
    form = client.get(url).content.decode()
    assert 'name="name_en"' in form
    listing = client.get(reverse("admin:petitions_ticketcategory_changelist"), {"q": "congest"})
    assert "交通拥堵" not in listing.content.decode()
    category.name_en = "Congestion"
    category.save()
    listing = client.get(reverse("admin:petitions_ticketcategory_changelist"), {"q": "congest"})
    assert "交通拥堵" in listing.content.decode()


@pytest.mark.django_db
def test_the_api_keeps_name_and_adds_name_en(api_as, admin_user):
    api = api_as(admin_user)
    answer = api.post(
        "/api/v1/petitions/categories/",
        {
            "code": "jam",
            "name": "交通拥堵",
            "name_en": "Congestion",
            "sign_days": 1,
            "reply_days": 3,
            "close_days": 5,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert (answer.json()["name"], answer.json()["name_en"]) == ("交通拥堵", "Congestion")
    assert TicketCategory.objects.get(code="jam").name_en == "Congestion"
    campaign = CampaignFactory(name="酒驾醉驾百日整治", name_en="Drink-driving crackdown")
    listed = api.get("/api/v1/brigade/campaigns/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {"id": campaign.pk, "name_en": "Drink-driving crackdown"}.items() <= next(
        row for row in rows if row["id"] == campaign.pk
    ).items()


@pytest.mark.django_db
def test_a_name_filter_finds_either_language(client, admin_user):
    from brigade.duty.filtersets import UnitFilterSet
    from brigade.duty.models import Unit

    Unit.objects.create(code="sq7", name="七中队", name_en="7th Squadron")
    found = UnitFilterSet(data={"name": "7th"}, queryset=Unit.objects.all()).qs
    assert [u.code for u in found] == ["sq7"]


@pytest.mark.django_db
def test_the_outreach_forms_and_api_take_the_english_name(client, api_as, commander, unit):
    from outreach.models import LoveStation, OutreachCampaign

    client.force_login(commander)
    data = {
        "name": "适老化交通安全宣传",
        "name_en": " Road safety for older people ",
        "partner": "市民政局",
        "unit": unit.pk,
        "starts_on": "2022-03-01",
        "ends_on": "2022-12-31",
        "goal_kind": "community",
        "goal_target": "8",
    }
    client.post(reverse("outreach:outreachcampaign_create"), data, headers=EN)
    campaign = OutreachCampaign.objects.get()
    assert campaign.name_en == "Road safety for older people"
    edit = reverse("outreach:outreachcampaign_edit", args=[campaign.pk])
    assert 'value="Road safety for older people"' in client.get(edit, headers=EN).text
    detail = reverse("outreach:outreachcampaign_detail", args=[campaign.pk])
    assert "Road safety for older people" in client.get(detail, headers=EN).text
    assert "Road safety for older people" not in client.get(detail, headers=ZH).text
    api = api_as(commander)
    station = {
        "name": "花园路爱心驿站",
        "name_en": "Huayuan Road rest stop",
        "unit": unit.pk,
        "location": "百货大楼路口岗亭",
        "opening_hours": "07:00-20:00",
        "opened_on": "2022-01-05",
    }
    answer = api.post("/api/v1/outreach/love-stations/", station, format="json")
    assert answer.status_code == 201, answer.content
    assert LoveStation.objects.get().name_en == "Huayuan Road rest stop"
