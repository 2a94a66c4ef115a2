"""What a typed value really says: identifiers compared as a person reads them, and free
text whose blankness is judged on what shows.

A ticket number with a zero-width space, a plate typed in full-width letters
(``ＡＢ１２``) or one with a trailing ``U+200B`` look like a record already on file but
would be stored as another one; a reply of zero-width spaces looks blank but is not empty.
"""

from __future__ import annotations

import unicodedata

# Unicode categories that print nothing: format characters (zero-width spaces and joiners,
# U+2060, U+FEFF, the bidirectional controls) and control characters (NUL, escapes…).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc"})


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES


def normalise_identifier(value: str, *, upper: bool = False, drop_spaces: bool = False) -> str:
    """An identifier as it is compared and stored: NFKC (full-width letters and digits
    become ASCII), without invisible characters, trimmed; ``upper`` for plates and other
    codes written in capitals, ``drop_spaces`` for codes that never contain a space."""
    text = unicodedata.normalize("NFKC", value)
    text = "".join(char for char in text if not is_invisible(char))
    text = "".join(text.split()) if drop_spaces else " ".join(text.split())
    return text.upper() if upper else text


def trim_text(value: str) -> str:
    """Free text without the spaces and invisible characters at its ends (inside it, a
    joiner may belong to an emoji or a script, so it stays)."""
    start, end = 0, len(value)
    while start < end and (value[start].isspace() or is_invisible(value[start])):
        start += 1
    while end > start and (value[end - 1].isspace() or is_invisible(value[end - 1])):
        end -= 1
    return value[start:end]


def is_blank(value: str) -> bool:
    """True when nothing of the text would show."""
    return not trim_text(value)


def clip(value: str, size: int) -> str:
    """``value`` cut to at most ``size`` characters, an ellipsis marking the cut."""
    return value if len(value) <= size else value[: size - 1] + "…"
