"""How a report's numbers read, in the active language (the dashboard's conventions: a rate
as a percentage with one decimal, money with two, counts grouped where the language
groups them)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from brigade.core.report.report import FigureValue


def format_number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=1, force_grouping=True)


def amount(value: Decimal | None, *, money: bool = False, places: int | None = None) -> str:
    if value is None:
        return "—"
    if money:
        places = 2
    if places is not None:
        exponent = Decimal(1).scaleb(-places)
        rounded = value.quantize(exponent, rounding=ROUND_HALF_UP)
        return number_format(rounded, decimal_pos=places, force_grouping=True)
    return format_number(float(value) if value % 1 else int(value))


def _tenths(value: Decimal) -> Decimal:
    # number_format cuts decimals off; a report rounds them (13/15 is 86.7%, not 86.6%)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{number_format(_tenths(value * 100), decimal_pos=1)}%"


def not_quantified() -> str:
    """What a figure the report names without a number reads when nothing counts it."""
    return _("not quantified")


def value(fv: FigureValue) -> str:
    """The figure as it is printed: "100.0%", "558717.00", "1620", "2417.4", or "not
    quantified"."""
    figure = fv.figure
    if not fv.quantified:
        return not_quantified()
    if figure.is_rate:
        return percent(fv.value)
    return amount(fv.numerator, money=figure.money, places=figure.places)


def fraction(fv: FigureValue) -> str:
    """ "13 / 13" for a rate, "" otherwise."""
    if not fv.figure.is_rate:
        return ""
    return f"{amount(fv.numerator)} / {amount(fv.denominator)}"


def change(current: FigureValue, previous: FigureValue) -> str:
    """The change from the previous period: points for a rate, the difference otherwise."""
    figure = current.figure
    if not (current.quantified and previous.quantified):
        return "—"
    if figure.is_rate:
        now, before = current.value, previous.value
        if now is None or before is None:
            return "—"
        points = _tenths((now - before) * 100)
        sign = "+" if points > 0 else ""
        return _("%(sign)s%(points)s pts") % {
            "sign": sign,
            "points": number_format(points, decimal_pos=1),
        }
    difference = current.numerator - previous.numerator
    sign = "+" if difference > 0 else ""
    return sign + amount(difference, money=figure.money, places=figure.places)
