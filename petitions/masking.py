"""Masking of a citizen's name and phone number.

Who sees what (the rule every list, export, API answer and page follows):

- Lists, exports and API answers show every citizen's name and phone masked, whoever
  asks: a list is read over a shoulder and an export leaves the building.
- On a ticket's page a clerk, a commander or an administrator (in scope) may press
  "show": that reveals the number and writes a ``PhoneViewLog`` row (who, when,
  which ticket). The API's ``reveal/`` action does the same for clients.
- Officers never see the unmasked number: they call back through the clerk.
"""

from __future__ import annotations


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
