"""Test data for the outreach app."""

from __future__ import annotations

import datetime as dt
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from outreach.choices import AssistanceKind, CommendationKind, GoalKind, VenueKind
from outreach.models import (
    AssistanceEvent,
    Commendation,
    LoveStation,
    OutreachCampaign,
    PublicityEvent,
    StationVisitDay,
)
from tests.brigade.factories import OfficerFactory, UnitFactory


def png(name: str = "photo.png") -> SimpleUploadedFile:
    """A real (tiny) PNG image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def fake_image(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A script named and typed like a photo: only its content gives it away."""
    return SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type="image/jpeg")


class OutreachCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachCampaign

    name = factory.Sequence(lambda n: f"宣传项目{n}")
    partner = "市教育局"
    unit = factory.SubFactory(UnitFactory)
    starts_on = dt.date(2022, 1, 1)
    ends_on = None
    goal_kind = GoalKind.SCHOOLS
    goal_target = 10


class PublicityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicityEvent
        skip_postgeneration_save = True

    held_on = dt.date(2022, 5, 10)
    venue_kind = VenueKind.SCHOOL
    venue_name = factory.Sequence(lambda n: f"第{n}小学")
    topic = "交通安全进校园"
    unit = factory.SubFactory(UnitFactory)
    audience = 100
    consultations = 10
    materials = 50

    @factory.post_generation
    def officers(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.officers.set(extracted)


class AssistanceEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssistanceEvent
        skip_postgeneration_save = True

    kind = AssistanceKind.MEDICAL_ESCORT
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    location = "花园路与东昌路交叉口"
    outcome = "已送医"
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def officers(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.officers.set(extracted)


class CommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commendation

    kind = CommendationKind.BANNER
    giver = factory.Sequence(lambda n: f"群众{n}")
    wording = "人民交警为人民"
    received_on = dt.date(2022, 4, 1)
    officer = factory.SubFactory(OfficerFactory)
    recipient_unit = None
    unit = factory.LazyAttribute(lambda o: o.officer.unit if o.officer else o.recipient_unit)


class LoveStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoveStation

    name = factory.Sequence(lambda n: f"爱心驿站{n}")
    location = "花园路警务岗亭"
    opening_hours = "08:00-20:00"
    services = "饮水、热饭、充电、休息"
    unit = factory.SubFactory(UnitFactory)
    opened_on = dt.date(2022, 1, 10)


class StationVisitDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StationVisitDay

    station = factory.SubFactory(LoveStationFactory)
    day = dt.date(2022, 5, 10)
    visits = 5
