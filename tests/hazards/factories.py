"""Test data for the hazards app."""

from __future__ import annotations

import datetime as dt
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazards.choices import (
    Element,
    FacilityKind,
    HazardSource,
    HazardStatus,
    KeyVehicleReason,
    Severity,
    VehicleKind,
)
from hazards.models import FacilityWork, Hazard, KeyVehicle
from tests.brigade.factories import UnitFactory


def png_bytes(size: tuple[int, int] = (4, 4), fmt: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def photo(name: str = "scene.png", fmt: str = "PNG") -> SimpleUploadedFile:
    content_type = "image/png" if fmt == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, png_bytes(fmt=fmt), content_type=content_type)


class HazardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hazard

    unit = factory.SubFactory(UnitFactory)
    element = Element.ROAD
    source = HazardSource.PATROL
    severity = Severity.MEDIUM
    road = "花园路"
    location = "花园路与东昌东路交叉口"
    description = "护栏缺损"
    found_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    status = HazardStatus.REPORTED


class AssignedHazardFactory(HazardFactory):
    status = HazardStatus.ASSIGNED
    responsible_party = "市政养护所"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    assigned_at = factory.LazyFunction(timezone.now)


class RectifiedHazardFactory(AssignedHazardFactory):
    status = HazardStatus.RECTIFIED
    measures = "设置警示标志"
    rectified_at = factory.LazyFunction(timezone.now)
    rectified_on_time = True


class KeyVehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyVehicle

    unit = factory.SubFactory(UnitFactory)
    plate = factory.Sequence(lambda n: f"鲁P{10000 + n}")
    kind = VehicleKind.TRUCK
    owner = "长江运输公司"
    reason = KeyVehicleReason.OVERDUE_INSPECTION


class FacilityWorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilityWork

    unit = factory.SubFactory(UnitFactory)
    kind = FacilityKind.SIGNAL
    quantity = 1
    place = "建设东路"
    done_on = factory.LazyFunction(timezone.localdate)
