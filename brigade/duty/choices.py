"""Enumerations of the brigade app: never bare strings in code or data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    HEADQUARTERS = "hq", _("Brigade headquarters")
    SQUADRON = "squadron", _("Squadron")


class OfficerKind(models.TextChoices):
    POLICE = "police", _("Police officer")
    AUXILIARY = "auxiliary", _("Auxiliary officer")
    SECURITY = "security", _("Security staff")


class PostKind(models.TextChoices):
    PEAK_HOUR = "peak", _("Peak-hour post")
    SCHOOL = "school", _("School post")
    FIXED = "fixed", _("Fixed post")
    CHECKPOINT = "checkpoint", _("Toll / checkpoint")
    PATROL_ZONE = "patrol_zone", _("Patrol zone")


class PatrolMode(models.TextChoices):
    FOOT = "foot", _("On foot")
    CAR = "car", _("Car")
    MOTORCYCLE = "motorcycle", _("Motorcycle")


class Weather(models.TextChoices):
    CLEAR = "clear", _("Clear")
    CLOUDY = "cloudy", _("Cloudy")
    RAIN = "rain", _("Rain")
    HEAVY_RAIN = "heavy_rain", _("Heavy rain")
    SNOW = "snow", _("Snow / ice")
    FOG = "fog", _("Fog / haze")
    WIND = "wind", _("Strong wind")
    HEAT = "heat", _("Extreme heat")


class ViolationKind(models.TextChoices):
    """Violations corrected on patrol: the crackdown list and the "four bad habits", named
    as the report names them (FIGURES.md row 23)."""

    # Crackdowns (严查严管)
    LOW_SPEED_EV = "low_speed_ev", _("Low-speed electric vehicle")
    # 无牌无证驾驶: no number plate, no driving licence
    UNLICENSED = "unlicensed", _("Driving without plates or licence")
    SCRAPPED_VEHICLE = "scrapped_vehicle", _("Old or scrapped vehicle")
    # 非客运车辆载客: a vehicle not licensed for passengers carrying them
    ILLEGAL_PASSENGERS = "illegal_passengers", _("Passengers in a non-passenger vehicle")
    # 超员: more passengers than the vehicle is approved for (not 超载, overloading with
    # goods, another offence)
    EXCESS_PASSENGERS = "excess_passengers", _("Carrying excess passengers")
    SPEEDING = "speeding", _("Speeding")
    # 酒后驾车: driving after drinking (drink driving and drunk driving alike)
    DRUNK_DRIVING = "drunk_driving", _("Driving after drinking")
    # "Four bad habits" (四乱/陋习)
    NO_HELMET = "no_helmet", _("No helmet")
    NO_SEATBELT = "no_seatbelt", _("No seatbelt")
    NOT_YIELDING = "not_yielding", _("Not yielding at crossings")
    LANE_WEAVING = "lane_weaving", _("Lane weaving")
    THROWING = "throwing", _("Throwing from windows")
    RED_LIGHT = "red_light", _("Running a red light")
    WRONG_WAY = "wrong_way", _("Wrong-way riding")
    STOP_LINE = "stop_line", _("Stopping past the stop line")
    RAILING_CLIMBING = "railing_climbing", _("Pedestrian climbing railings")
    ILLEGAL_PARKING = "illegal_parking", _("Illegal parking")


CRACKDOWN_KINDS = frozenset(
    {
        ViolationKind.LOW_SPEED_EV,
        ViolationKind.UNLICENSED,
        ViolationKind.SCRAPPED_VEHICLE,
        ViolationKind.ILLEGAL_PASSENGERS,
        ViolationKind.EXCESS_PASSENGERS,
        ViolationKind.SPEEDING,
        ViolationKind.DRUNK_DRIVING,
    }
)


class TrainingKind(models.TextChoices):
    STUDY = "study", _("Concentrated study")
    LECTURE = "lecture", _("Special lecture")
    EDUCATION = "education", _("Warning / hero education viewing")
    DRILL = "drill", _("Drill")
    MOTORCYCLE = "motorcycle", _("Motorcycle skills")


class AssessmentResult(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class PlaceKind(models.TextChoices):
    """What a place of the brigade's gazetteer is: a whole road, a crossing, or a stretch."""

    ROAD = "road", _("Road")
    INTERSECTION = "intersection", _("Intersection")
    SEGMENT = "segment", _("Road segment")
