"""The numbers hidden from Open311's free texts (petitions/api/open311_redact.py): every
spelling of a phone or identity card number a caller writes, and what must stay."""

from __future__ import annotations

import re
import unicodedata

import pytest

from petitions.api.open311_redact import CHINESE_DIGITS, MASK, redact


def digits(text: str) -> str:
    """The text's digits as a reader would read them, every look-alike folded."""
    folded = "".join(CHINESE_DIGITS.get(c, c) for c in unicodedata.normalize("NFKC", text))
    return re.sub(r"\D", "", "".join(str(unicodedata.decimal(c, c)) for c in folded))


@pytest.mark.parametrize(
    "number",
    [
        "13812345678",
        "19912345678",
        "138 1234 5678",
        "138-1234-5678",
        "1 3 8 1 2 3 4 5 6 7 8",
        "+86 138 1234 5678",
        "0086-13812345678",
        "１３８１２３４５６７８",  # full-width digits
        "１３８　１２３４　５６７８",  # and the ideographic space
        "138－1234－5678",  # full-width dash
        "138\u20131234\u20145678",  # en and em dashes
        "138\u00a01234\u00a05678",  # no-break spaces
        "¹³⁸¹²³⁴⁵⁶⁷⁸",  # superscript digits
        "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",  # mathematical bold digits
        "١٣٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "一三八一二三四五六七八",  # Chinese numerals
        "幺三八幺二三四五六七八",
        "0635-8888888",
        "0635 888 8888",
        "(0635)8888888",
        "（０６３５）８８８８８８８",
        "010-12345678",
        "+86 635 8888888",
        "37150219900101123X",
        "37150219900101123x",
        "371502199001011234",
        "371502 19900101 123X",
        "３７１５０２１９９００１０１１２３Ｘ",
        "371502900101123",  # the old 15-digit card
        "62220212345678901",  # an account number
    ],
)
@pytest.mark.parametrize("around", ["{}", "请回电{}谢谢", "电话：{}。", "{}，{}"])
def test_identifying_numbers_are_hidden(number, around):
    text = around.format(number, number)
    redacted = redact(text)
    assert MASK in redacted
    assert digits(number) not in digits(redacted)
    # the text around the number stays
    for part in re.split(r"\{\}", around):
        assert part in redacted


@pytest.mark.parametrize(
    "text",
    [
        "2022-06-13 09:30 花园路早高峰拥堵",
        "2022年6月13日上午9时30分",
        "坐标36.456000,115.985000",
        "车牌鲁P12345，罚款200元",
        "工单号GD20220613000123已转办",
        "12345热线转来",
        "3辆车，排队约500米",
        "第一中队三名民警到场",
    ],
)
def test_dates_amounts_plates_and_places_stay(text):
    assert redact(text) == text


def test_the_citizens_name_is_masked_in_the_text():
    assert redact("张三丰反映：路口拥堵", "张三丰") == "张**反映：路口拥堵"
    # a one-character name would hide every such character: left to the numbers' rule
    assert redact("张反映拥堵", "张") == "张反映拥堵"


def test_empty_and_plain_texts():
    assert redact("") == ""
    assert redact("路口拥堵") == "路口拥堵"
