"""Numbers that identify a person, hidden in the free text an Open311 answer shows (the
matter, the reply, the reason for a return, the place).

A caller writes their number into the matter as often as into the phone field, and
spells it as they like. What is hidden (each replaced by ``MASK``):

- a mobile number, ``1[3-9]`` and nine more digits, with or without ``+86``/``0086``;
- a landline with its area code: ``0`` and two or three digits, then seven or eight,
  the area code perhaps in brackets, or after ``+86`` without its ``0``;
- an identity card number: seventeen digits and a digit or ``X`` (and the old fifteen);
- any other run of eleven digits or more (an account, a number glued to another).

Written with spaces or dashes between any digits (ASCII, full-width, typographic, the
ideographic space), and with digits that only look like ASCII ones: full-width ``１３８``,
other scripts' decimal digits, superscript, circled and mathematical digits (anything
whose compatibility form is a digit), and the Chinese numerals a caller types
(〇一二三四五六七八九, 零, 幺). Dates, times, amounts and coordinates stay: they have
too few digits, or do not start as a phone number does.

The citizen's name written into the text is replaced by its mask as well.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from brigade.core.privacy import mask_name

MASK = "***"
CHINESE_DIGITS = {
    "〇": "0",
    "零": "0",
    "一": "1",
    "幺": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u30fc\uff70~\uff5e"
OPENING, CLOSING = "(\uff08[\u3010", ")\uff09]\u3011"
PLUSES = "+\uff0b\u207a"

# On the text spelled in ASCII (one character for one, so that positions carry over):
# D a digit, S what may stand between two digits.
_S = r"[ \-]*"
_D = r"\d"


def _digits(count: str) -> str:
    return rf"(?:{_S}{_D}){count}"


_PREFIX = rf"(?:(?:\+|00){_S}8{_S}6{_S})"
_PATTERNS = [
    # an identity card: 17 digits and a check character
    rf"{_D}{_digits('{16}')}{_S}[\dX]",
    rf"{_D}{_digits('{14}')}",  # the old 15-digit card
    # a mobile
    rf"{_PREFIX}?1{_S}[3-9]{_digits('{9}')}",
    # a landline with its area code
    rf"{_PREFIX}?(?:\({_S})?0{_digits('{2,3}')}{_S}\)?{_digits('{7,8}')}",
    rf"{_PREFIX}(?:\({_S})?[1-9]{_digits('{1,3}')}{_S}\)?{_digits('{7,8}')}",
    # any other long run of digits
    r"\d{11,}",
]
NUMBERS = re.compile(
    r"(?<![\dA-Za-z])(?:" + "|".join(f"(?:{p})" for p in _PATTERNS) + r")(?![\dA-Za-z])"
)


@lru_cache(maxsize=4096)
def _ascii(char: str) -> str:
    """The character as the patterns read it: a digit, a space, a dash, a bracket, a
    plus or an X for what looks like one, ``a`` for another Latin letter, else ``_``."""
    if "0" <= char <= "9" or char in " -()+X":
        return char
    if char in CHINESE_DIGITS:
        return CHINESE_DIGITS[char]
    value = unicodedata.decimal(char, None)
    if value is not None:
        return str(value)
    if char.isspace():
        return " "
    if char in DASHES:
        return "-"
    if char in OPENING:
        return "("
    if char in CLOSING:
        return ")"
    if char in PLUSES:
        return "+"
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1 and ("0" <= folded <= "9" or folded in "xX"):
        return folded.upper()
    if len(folded) == 1 and folded.isascii() and folded.isalpha():
        return "a"  # a Latin letter: a number glued to one is a code, not a phone
    return "_"


def spelled(text: str) -> str:
    """``text`` in the patterns' alphabet, one character for each of the text's."""
    return "".join(_ascii(char) for char in text)


def redact(text: str, name: str = "") -> str:
    """``text`` with every number that identifies a person replaced by ``MASK``, and
    ``name`` (the citizen's, two characters or more) by its mask."""
    if not text:
        return text or ""
    pieces: list[str] = []
    end = 0
    for match in NUMBERS.finditer(spelled(text)):
        start, stop = match.span()
        pieces.append(text[end:start])
        pieces.append(MASK)
        end = stop
    pieces.append(text[end:])
    redacted = "".join(pieces)
    name = (name or "").strip()
    if len(name) >= 2:
        redacted = redacted.replace(name, mask_name(name))
    return redacted
