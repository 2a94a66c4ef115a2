"""Personal data of the public (a citizen's or an accident party's phone number): how it is
masked, who may see it whole, and the one log of every time someone did.

Who sees what (the rule every list, export, API answer and page follows):

- Lists, exports and API answers show every phone number (and a citizen's name) masked,
  whoever asks: a list is read over a shoulder and an export leaves the building.
- The desk (``roles.REVEAL``: clerks, commanders, administrators), in their scope, may
  press "show" on a record's page (or call its API ``reveal/`` action): the number is shown
  whole and a ``RevealLog`` row is written (who, when, from which address, which record).
- A phone number finds a record only when searched for whole, and only by those same
  roles; each such search that finds records is logged as well (way "search"), one row per
  record found. Nobody can find a record by a part of a number (a search for the last
  digits would tell, one digit at a time, what the mask hides).
- Officers never see a number whole: they call back through the desk.

The apps tell the core which page a logged record links to (``record_pages`` on their
config, ``brigade.core.nav.record_pages``); the core knows no domain model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from brigade.core.roles import REVEAL

if TYPE_CHECKING:
    from brigade.core.models import RevealLog, RevealLogQuerySet

# What a phone number may be written with besides its digits: spaces and dashes (ASCII,
# full-width and typographic), as the 12345 platform's exports and callers write them.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\uff0d]+")
# A whole number: a landline without its area code has 7 digits, a mobile 11, a landline
# with its area code 10 to 12; more is not a phone number.
PHONE_DIGITS = (7, 20)


def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits stay (enough to tell two
    callers apart on the phone), the rest is hidden."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    if len(phone) < 8:
        return phone[:1] + "*" * (len(phone) - 3) + phone[-2:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """张** : the family name only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def may_reveal(user: object) -> bool:
    """May ``user`` see a phone number whole (in their scope), or search by one?"""
    from brigade.core.permissions import has_role

    return has_role(user, REVEAL)


def whole_phone(text: str) -> str | None:
    """The digits of ``text`` when it is a whole phone number (spaces and dashes
    dropped), else None."""
    digits = _SEPARATORS.sub("", text or "")
    low, high = PHONE_DIGITS
    if digits.isascii() and digits.isdigit() and low <= len(digits) <= high:
        return digits
    return None


def phone_forms(text: str) -> list[str]:
    """The stored spellings a whole-number search matches: the digits alone, and the
    number as typed (a record kept with its spaces or dashes); none for a part of one."""
    digits = whole_phone(text)
    if digits is None:
        return []
    typed = (text or "").strip()
    return [digits] if typed == digits else [digits, typed]


# --- the log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """A record whose personal data a user saw: the record, what the log calls it (no
    personal data in clear), and the unit it belongs to (for the log's scoping)."""

    record: Model
    label: str
    unit_id: int | None


def record_views(seen: Iterable[Seen], *, user: Any, ip: str | None, way: str) -> list[RevealLog]:
    """Write one log row per record seen (append-only; nothing else writes the log)."""
    from django.contrib.contenttypes.models import ContentType

    from brigade.core.models import RevealLog

    rows = [
        RevealLog(
            user=user,
            ip=ip or None,
            way=way,
            record_type=ContentType.objects.get_for_model(item.record),
            record_id=item.record.pk,
            record=item.label[:200],
            unit_id=item.unit_id,
        )
        for item in seen
    ]
    return RevealLog.objects.bulk_create(rows)


def views_of(record: Model) -> RevealLogQuerySet:
    """The log rows of one record, newest first."""
    from django.contrib.contenttypes.models import ContentType

    from brigade.core.models import RevealLog

    return RevealLog.objects.filter(
        record_type=ContentType.objects.get_for_model(record), record_id=record.pk
    )
