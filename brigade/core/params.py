"""Reading a record id (or a page number) from a query string or a path: one parser.

``str.isdigit()`` is true for "²" or "١", which ``int()`` refuses; a check with one
and a conversion with the other was a 500. Here an id is 1 to 18 ASCII digits (a
positive 64-bit value, as the database stores it); anything else raises ``BadParameter``,
which every layer answers with a 400 naming the parameter: the pages through
``handler400`` (brigade/core/api/handlers.py), the API through its exception handler.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

# Digits, at most 18 of them: every such number fits a signed 64-bit integer.
MAX_DIGITS = 18


class BadParameter(BadRequest):
    """A query parameter (or path part) that is not what it must be: a 400 on ``name``."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def is_id(raw: str) -> bool:
    """Whether ``raw`` is a positive whole number written in ASCII digits that fits the
    database's integers."""
    return raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS and int(raw) > 0


def parse_id(raw: str, name: str) -> int:
    """``raw`` as a record id, else ``BadParameter`` on ``name``."""
    text = raw.strip()
    if not is_id(text):
        raise BadParameter(
            name,
            _("“%(name)s” must be a record number, not “%(value)s”.")
            % {"name": name, "value": _shown(raw)},
        )
    return int(text)


def optional_id(params: Mapping[str, str], name: str) -> int | None:
    """The id in ``params[name]``; ``None`` when it is absent or empty."""
    raw = (params.get(name) or "").strip()
    return parse_id(raw, name) if raw else None


def _shown(raw: str, limit: int = 40) -> str:
    """The value as the message quotes it: printable, and short."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in raw)
    return text if len(text) <= limit else text[:limit] + "…"
