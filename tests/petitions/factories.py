"""Test data for the petitions app."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from petitions.choices import (
    ConsultationChannel,
    ProposalKind,
    ProposerGrade,
    TicketChannel,
    TicketStatus,
)
from petitions.deadlines import add_workdays
from petitions.models import Consultation, Proposal, Ticket, TicketCategory
from tests.brigade.factories import UnitFactory


class TicketCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    sign_days = 1
    reply_days = 5
    close_days = 10
    reply_templates = factory.LazyFunction(lambda: ["您反映的问题已转交中队核实处理。"])


def _received() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=2)


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket as the platform sent it (received), deadlines from its category."""

    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"2022{n:08d}")
    channel = TicketChannel.HOTLINE
    received_at = factory.LazyFunction(_received)
    citizen_name = "张三丰"
    citizen_phone = "13812345678"
    category = factory.SubFactory(TicketCategoryFactory)
    content = "花园路路口早高峰拥堵，请求增派警力疏导。"
    location = "花园路与东昌东路交叉口"
    unit = factory.SubFactory(UnitFactory)
    status = TicketStatus.RECEIVED
    sign_due = factory.LazyAttribute(
        lambda o: add_workdays(timezone.localdate(o.received_at), o.category.sign_days)
    )
    reply_due = factory.LazyAttribute(
        lambda o: add_workdays(timezone.localdate(o.received_at), o.category.reply_days)
    )
    close_due = factory.LazyAttribute(
        lambda o: add_workdays(timezone.localdate(o.received_at), o.category.close_days)
    )
    next_due = factory.LazyAttribute(lambda o: o.sign_due)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    channel = ConsultationChannel.PHONE
    topic = "驾驶证换证需要哪些材料"
    answer = "携带身份证和体检证明到车管所办理。"
    at = factory.LazyFunction(_received)
    unit = factory.SubFactory(UnitFactory)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    kind = ProposalKind.NPC
    proposer = "李代表"
    grade = ProposerGrade.CITY
    title = "关于在实验小学门前增设信号灯的建议"
    content = "上下学高峰时段学生过街危险。"
    received_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    unit = factory.SubFactory(UnitFactory)
