"""Test data for the brigade app."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from brigade.duty.choices import OfficerKind, PatrolMode, PostKind, TrainingKind, UnitKind
from brigade.duty.models import (
    Attendance,
    Campaign,
    DutyPost,
    Leave,
    Officer,
    PatrolLog,
    RoadWorksZone,
    Shift,
    TrainingSession,
    Unit,
    ViolationTally,
)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sq{n}")
    name = factory.Sequence(lambda n: f"第{n}中队")
    kind = UnitKind.SQUADRON


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        for name in extracted or ():
            # get_or_create: a transactional test flushes the groups the migration made
            self.groups.add(Group.objects.get_or_create(name=name)[0])


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    badge_no = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"警员{n}")
    kind = OfficerKind.POLICE
    unit = factory.SubFactory(UnitFactory)


class LeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leave

    officer = factory.SubFactory(OfficerFactory)
    starts_on = dt.date(2022, 6, 13)
    ends_on = dt.date(2022, 6, 17)
    reason = "年休假"


class DutyPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyPost

    name = factory.Sequence(lambda n: f"岗位{n}")
    unit = factory.SubFactory(UnitFactory)
    kind = PostKind.FIXED
    location = "花园路与东昌东路交叉口"
    start_time = dt.time(7, 0)
    end_time = dt.time(19, 0)
    weekdays = "1234567"
    # in service long before any date a test picks
    active_from = dt.date(2020, 1, 1)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"专项整治{n}")
    starts_on = dt.date(2020, 1, 1)


class RoadWorksZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoadWorksZone

    name = factory.Sequence(lambda n: f"施工路段{n}")
    road = "花园路"
    unit = factory.SubFactory(UnitFactory)
    starts_on = dt.date(2020, 1, 1)


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    officer = factory.SubFactory(OfficerFactory)
    post = factory.SubFactory(DutyPostFactory, unit=factory.SelfAttribute("..officer.unit"))
    unit = factory.SelfAttribute("post.unit")
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(minute=0, second=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=4))


class PatrolLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatrolLog

    officer = factory.SubFactory(OfficerFactory)
    unit = factory.SelfAttribute("officer.unit")
    mode = PatrolMode.CAR
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=3))
    ended_at = factory.LazyAttribute(lambda o: o.started_at + dt.timedelta(hours=2))


class ViolationTallyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ViolationTally

    patrol = factory.SubFactory(PatrolLogFactory)
    kind = "no_helmet"
    count = 1


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    unit = factory.SubFactory(UnitFactory)
    kind = TrainingKind.STUDY
    title = factory.Sequence(lambda n: f"集中学习{n}")
    held_on = dt.date(2022, 3, 1)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(TrainingSessionFactory)
    officer = factory.SubFactory(OfficerFactory, unit=factory.SelfAttribute("..session.unit"))
