"""The bell in the navigation: the number of the person's unread notices, read with one
query, and only when a page draws the bell."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from brigade.core.notices import inbox

# More than this shows as "99+": the bell stays one badge wide on a phone.
MOST_SHOWN = 99


class Bell:
    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def count(self) -> int:
        return inbox.unread_count(self.user)

    @property
    def label(self) -> str:
        return f"{MOST_SHOWN}+" if self.count > MOST_SHOWN else str(self.count)


def bell(request: Any) -> Bell | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return Bell(user)
