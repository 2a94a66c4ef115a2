"""The channels a notice leaves the app by: e-mail (Django's mail settings, ``EMAIL_URL``)
and a unit's group robot (a WeCom or DingTalk style webhook, its URL set per unit).

Each send is bounded (``EMAIL_TIMEOUT``, ``NOTICE_WEBHOOK_TIMEOUT``) and raises
``ChannelError`` on any failure, so that one delivery's task fails and is retried alone.
The units belong to the duty domain: the core asks the lookup it registered
(``units.register``) for their names and robots' URLs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

# a robot's answer is a few bytes; more is read no further
MAX_ANSWER_BYTES = 64 * 1024


class ChannelError(Exception):
    """A send that failed: refused, timed out, or answered with an error."""


# --- e-mail -------------------------------------------------------------------------------


def email_enabled() -> bool:
    """Whether e-mail goes out at all: only with ``EMAIL_URL`` set."""
    return bool(getattr(settings, "EMAIL_URL", ""))


def subject_line(subject: str) -> str:
    """The subject as sent: the brigade's name first, so that a mailbox sorts them."""
    return f"[{settings.BRIGADE_NAME}] {subject}"[:300]


def send_email(*, to: str, subject: str, text: str, html: str = "") -> None:
    """One message to one address: plain text, with ``html`` as its alternative."""
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        raise ChannelError(f"e-mail to {to}: {error!r}"[:1000]) from error


# --- the units' group robots --------------------------------------------------------------


def webhook_body(title: str, markdown: str) -> dict[str, Any]:
    """A markdown message as the configured robot takes it (``NOTICE_WEBHOOK_FLAVOUR``):
    WeCom's ``{"msgtype": "markdown", "markdown": {"content": ...}}`` or DingTalk's
    ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``."""
    if settings.NOTICE_WEBHOOK_FLAVOUR == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    return {"msgtype": "markdown", "markdown": {"content": markdown}}


def post_webhook(url: str, body: dict[str, Any]) -> None:
    """POST ``body`` as JSON. A non-2xx answer, or a JSON answer whose ``errcode`` is not 0
    (both robots answer 200 with an error code for a refused message), is a failure."""
    if not url.lower().startswith(("http://", "https://")):
        raise ChannelError(f"not a web address: {url[:100]}")
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTICE_WEBHOOK_TIMEOUT) as answer:
            raw = answer.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        raise ChannelError(f"webhook answered {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ChannelError(f"webhook: {error!r}"[:1000]) from error
    try:
        answer_json = json.loads(raw or b"null")
    except ValueError:
        return  # a 2xx answer that is not JSON: taken as accepted
    if isinstance(answer_json, dict):
        code = answer_json.get("errcode", 0)
        if code not in (0, "0", None):
            message = str(answer_json.get("errmsg", ""))[:300]
            raise ChannelError(f"webhook errcode {code}: {message}")


@dataclass(frozen=True)
class UnitInfo:
    """What the notices need of a unit: its name and its group robot's URL (or "")."""

    name: str
    robot_webhook_url: str = ""


UnitLookup = Callable[[set[int]], dict[int, UnitInfo]]


class _Units:
    """The units' names and robots, from the lookup the app that holds units registers."""

    def __init__(self) -> None:
        self._lookup: UnitLookup | None = None

    def register(self, lookup: UnitLookup) -> None:
        self._lookup = lookup

    def info(self, unit_ids: Iterable[int | None]) -> dict[int, UnitInfo]:
        """unit id → its name and robot, for the units that exist (one query)."""
        ids = {pk for pk in unit_ids if pk is not None}
        if self._lookup is None or not ids:
            return {}
        return self._lookup(ids)

    def webhooks(self, unit_ids: Iterable[int | None]) -> dict[int, str]:
        """unit id → its robot's URL, for the units that have one (one query)."""
        return {
            pk: u.robot_webhook_url for pk, u in self.info(unit_ids).items() if u.robot_webhook_url
        }


units = _Units()
