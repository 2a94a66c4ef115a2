"""The daily digest: each person's own due items grouped by what to do, and for a
commander the unit's (or, brigade-wide, the brigade's) overdue items and the week's key
figures against last week.

Set-based: the items come from ``items.collect`` (a fixed number of queries per source),
then one query each for the mutes, the people, their preferences, the commanders and the
units, and the KPI engine's stored rollups through its read API (a handful of metrics by
key, none when cached). Nothing is read per person.

``send_digests(day)`` writes one ``Notice(kind=digest, key="digest:YYYY-MM-DD")`` per
person with something to read, on working days only (the brigade's calendar, 调休
included), and hands each to its channels with the digest's own e-mail; a unit's group
robot gets one message per unit and day (``Delivery`` key ``digest:YYYY-MM-DD:unit:ID``).
The database's uniqueness makes a second run, or a second worker, send nothing new.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brigade.core.calendar import is_workday
from brigade.core.kpi import read
from brigade.core.kpi.registry import registry as kpi_registry
from brigade.core.kpi.weeks import week_start
from brigade.core.notices import channels, items
from brigade.core.notices.dispatch import (
    Mail,
    addresses,
    create_deliveries,
    preferences,
    prepared_mails,
)
from brigade.core.notices.items import ItemRow
from brigade.core.notices.models import (
    Delivery,
    DeliveryChannel,
    Notice,
    NoticeAction,
    NoticeKind,
)
from brigade.core.notices.registry import roster
from brigade.core.roles import Role

# the order a digest lists its groups in: the issue's, then anything else
ACTIONS: tuple[str, ...] = (
    NoticeAction.SIGN,
    NoticeAction.REPLY,
    NoticeAction.CLOSE,
    NoticeAction.RECTIFY,
    NoticeAction.VERIFY,
    NoticeAction.APPROVE,
    NoticeAction.RECOVER,
    NoticeAction.OTHER,
)
# the week's key figures a commander reads, by key (those no app registers are left out)
KEY_FIGURES: tuple[str, ...] = (
    "petitions.closure_rate",
    "petitions.on_time_rate",
    "hazards.overdue",
    "hazards.rectification_rate",
    "brigade.patrol_hours",
)
# items listed by name per group (the counts are always whole); the rest: "and N more"
LISTED = 10


@dataclass(frozen=True)
class ActionGroup:
    """One kind of work in a digest: its count, how many of them are overdue, the first
    ``LISTED`` of them (overdue first, then by due date)."""

    action: str
    label: str
    count: int
    overdue: int
    items: tuple[ItemRow, ...]

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass(frozen=True)
class KeyFigure:
    """A key figure of the week against last week's."""

    key: str
    label: str
    value: read.Number | None
    previous: read.Number | None
    is_rate: bool
    unit_label: str

    @property
    def change(self) -> read.Number | None:
        if self.value is None or self.previous is None:
            return None
        return read.number(float(self.value) - float(self.previous))

    def shown(self, value: read.Number | None) -> str:
        if value is None:
            return "—"
        if self.is_rate:
            return f"{float(value) * 100:.1f}%"
        return f"{value}{self.unit_label}"

    @property
    def value_text(self) -> str:
        return self.shown(self.value)

    @property
    def previous_text(self) -> str:
        return self.shown(self.previous)

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "—"
        sign = "+" if change > 0 else ""
        if self.is_rate:
            return f"{sign}{float(change) * 100:.1f}"
        return f"{sign}{change}"


@dataclass
class Digest:
    """One person's digest of ``day``."""

    day: dt.date
    user_id: int
    username: str
    name: str
    email: str
    groups: list[ActionGroup] = field(default_factory=list)
    # a commander's overview: the unit's or the brigade's overdue items, the key figures
    commands: str = ""  # the unit's or the brigade's name ("" for anyone else)
    overdue: list[ActionGroup] = field(default_factory=list)
    figures: list[KeyFigure] = field(default_factory=list)

    @property
    def key(self) -> str:
        return digest_key(self.day)

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def overdue_count(self) -> int:
        return sum(g.overdue for g in self.groups)

    @property
    def overview_count(self) -> int:
        return sum(g.count for g in self.overdue)

    @property
    def has_content(self) -> bool:
        return bool(self.count or self.overview_count)

    def counts(self) -> dict[str, int]:
        return {g.action: g.count for g in self.groups}


def digest_key(day: dt.date) -> str:
    return f"digest:{day.isoformat()}"


def unit_key(day: dt.date, unit_id: int) -> str:
    return f"digest:{day.isoformat()}:unit:{unit_id}"


def _labels() -> dict[str, str]:
    return _labels_in(translation.get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=8)
def _labels_in(language: str) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in NoticeAction.choices}


def group(rows: Iterable[ItemRow]) -> list[ActionGroup]:
    """Rows grouped by action in the digest's order, each group sorted overdue first."""
    by_action: dict[str, list[ItemRow]] = defaultdict(list)
    for row in rows:
        by_action[row.action].append(row)
    labels = _labels()
    order = {action: i for i, action in enumerate(ACTIONS)}
    out = []
    for action in sorted(by_action, key=lambda a: (order.get(a, len(order)), a)):
        found = by_action[action]
        late = [r for r in found if r.overdue]
        out.append(
            ActionGroup(
                action=action,
                label=labels.get(action, action),
                count=len(found),
                overdue=len(late),
                items=_first(late, found),
            )
        )
    return out


_by_due = attrgetter("due", "model", "item_id")


def _first(late: list[ItemRow], found: list[ItemRow]) -> tuple[ItemRow, ...]:
    """The first ``LISTED`` of ``found``, overdue ones (``late``) first, then by due date
    (model and id breaking ties), without sorting a unit's thousands."""
    if len(late) >= LISTED:
        return tuple(heapq.nsmallest(LISTED, late, key=_by_due))
    rest = heapq.nsmallest(LISTED - len(late), (r for r in found if not r.overdue), key=_by_due)
    return (*sorted(late, key=_by_due), *rest)


def distinct_items(rows: Iterable[ItemRow]) -> list[ItemRow]:
    """One row per item and action (an item handed to three clerks counts once)."""
    # the first row of each: the rows taken backwards, the first one seen written last
    seen = {(row.model, row.item_id, row.action): row for row in reversed(list(rows))}
    return list(seen.values())


def _person_name(user: Mapping[str, Any]) -> str:
    full = f"{user['last_name'] or ''}{user['first_name'] or ''}".strip()
    return full or str(user["username"])


def key_figures(day: dt.date, unit_names: dict[int, str]) -> dict[int | None, list[KeyFigure]]:
    """The key figures of ``day``'s week and the week before, for the brigade (``None``)
    and each unit of ``unit_names``: three reads of the stored rollups, none cached."""
    labels = kpi_registry.labels()
    keys = [key for key in KEY_FIGURES if key in labels]
    if not keys:
        return {}
    monday = week_start(day)
    brigade = read.trends(
        keys, read.FigureScope(None, settings.BRIGADE_NAME), weeks=2, until=monday
    )
    out: dict[int | None, list[KeyFigure]] = {}

    def figure(key: str, value: object, previous: object) -> KeyFigure:
        metric = kpi_registry.owner(key)
        return KeyFigure(
            key=key,
            label=str(labels[key]),
            value=value,  # type: ignore[arg-type]
            previous=previous,  # type: ignore[arg-type]
            is_rate=metric.is_rate,
            unit_label=str(metric.unit_label),
        )

    out[None] = [figure(k, brigade[k][1]["value"], brigade[k][0]["value"]) for k in keys]
    if unit_names:
        now = {row["unit"]: row for row in read.unit_table(monday, keys, units=unit_names)}
        before = {
            row["unit"]: row
            for row in read.unit_table(monday - dt.timedelta(days=7), keys, units=unit_names)
        }
        for pk in unit_names:
            out[pk] = [
                figure(
                    k,
                    now[pk]["metrics"][k]["value"],
                    before[pk]["metrics"][k]["value"],
                )
                for k in keys
            ]
    return out


def build_digests(day: dt.date, rows: Sequence[ItemRow] | None = None) -> list[Digest]:
    """Every person's digest of ``day`` (those with nothing in it included; see
    ``Digest.has_content``), people who turned the digest off left out. ``rows``: the
    day's collected items, when the caller has them already."""
    with items.gc_paused():
        return _build_digests(day, rows)


def _build_digests(day: dt.date, rows: Sequence[ItemRow] | None) -> list[Digest]:
    collected = list(rows) if rows is not None else items.collect(day)
    own = items.unmuted(collected)
    mine: dict[int, list[ItemRow]] = defaultdict(list)
    for row in own:
        mine[row.user_id].append(row)

    # the commanders: of a unit, or (at headquarters) of the brigade
    commanders: dict[int, int | None] = {}
    for member in roster().members([Role.COMMANDER]):
        if Role.COMMANDER not in member.roles:
            continue
        if member.at_headquarters:
            commanders[member.user_id] = None
        else:
            commanders.setdefault(member.user_id, member.unit_id)

    people = set(mine) | set(commanders)
    if not people:
        return []
    prefs = preferences(people)
    users = {
        u["pk"]: u
        for u in get_user_model()
        .objects.filter(pk__in=people, is_active=True)
        .values("pk", "username", "first_name", "last_name", "email")
    }
    wanted = [pk for pk in sorted(people) if pk in users and prefs[pk].digest]

    overdue_all = distinct_items([r for r in collected if r.overdue])
    overdue_by_unit: dict[int | None, list[ItemRow]] = defaultdict(list)
    for row in overdue_all:
        overdue_by_unit[row.unit_id].append(row)
    commanded_units = {commanders[pk] for pk in wanted if commanders.get(pk) is not None}
    unit_info = channels.units.info(commanded_units)
    unit_names = {pk: unit_info[pk].name for pk in commanded_units if pk in unit_info}
    commanding = any(pk in commanders for pk in wanted)
    figures = key_figures(day, unit_names) if commanding else {}

    # a unit's (or the brigade's) overview, grouped once for all its commanders
    overviews: dict[int | None, list[ActionGroup]] = {}

    def overview(unit_id: int | None) -> list[ActionGroup]:
        if unit_id not in overviews:
            found = overdue_all if unit_id is None else overdue_by_unit.get(unit_id, [])
            overviews[unit_id] = group(found)
        return overviews[unit_id]

    digests = []
    for pk in wanted:
        user = users[pk]
        digest = Digest(
            day=day,
            user_id=pk,
            username=str(user["username"]),
            name=_person_name(user),
            email=str(user["email"] or ""),
            groups=group(mine.get(pk, [])),
        )
        if pk in commanders:
            unit_id = commanders[pk]
            if unit_id is None:
                digest.commands = settings.BRIGADE_NAME
            else:
                digest.commands = unit_names.get(unit_id, "")
            digest.overdue = list(overview(unit_id))
            digest.figures = figures.get(unit_id, [])
        digests.append(digest)
    return digests


# --- rendering ----------------------------------------------------------------------------
#
# A day's digests are hundreds of e-mails listing thousands of lines: the text part is
# plain string formatting, the HTML part one compiled template (looked up once) filled
# with strings made here, each item's line made once however many digests list it, the
# words translated once per language (the same msgids as the templates used).


@dataclass(frozen=True)
class Line:
    """An item as a digest lists it, formatted once however many digests list it."""

    title: str
    due: str
    link: str
    overdue: bool


@lru_cache(maxsize=65536)
def _line(row: ItemRow, site: str) -> Line:
    link = row.url if row.url.startswith(("http://", "https://")) else f"{site}{row.url}"
    return Line(title=row.title, due=row.due.isoformat(), link=link, overdue=row.overdue)


def _lines(groups: Iterable[ActionGroup], site: str) -> list[tuple[ActionGroup, list[Line]]]:
    return [(g, [_line(row, site) for row in g.items]) for g in groups]


@dataclass(frozen=True)
class Words:
    """The digest's words in one language, translated once."""

    due: str
    overdue: str
    nothing: str
    overdue_n: str  # "%(overdue)s overdue"
    more_n: str  # "and %(more)s more"
    heading: str  # "%(name)s, your digest for %(date)s"
    title: str  # "Digest for %(date)s"
    language: str


@lru_cache(maxsize=8)
def _words_in(language: str) -> Words:
    with translation.override(language):
        return Words(
            due=_("due"),
            overdue=_("overdue"),
            nothing=_("Nothing of your own is due."),
            overdue_n=_("%(overdue)s overdue"),
            more_n=_("and %(more)s more"),
            heading=_("%(name)s, your digest for %(date)s"),
            title=_("Digest for %(date)s"),
            language=language,
        )


def _words() -> dict[str, str]:
    """The words repeated on every line, translated once per digest, not once per line."""
    words = _words_in(translation.get_language() or settings.LANGUAGE_CODE)
    return {"due": words.due, "overdue": words.overdue}


@lru_cache(maxsize=1024)
def _todo(language: str, count: int) -> str:
    with translation.override(language):
        form = ngettext("%(counter)s item to do", "%(counter)s items to do", count)
    return form % {"counter": count}


@lru_cache(maxsize=65536)
def _text_line(line: Line, language: str) -> str:
    words = _words_in(language)
    mark = f"[{words.overdue}] " if line.overdue else ""
    return f"- {mark}{line.title} ({words.due} {line.due}) {line.link}\n"


@lru_cache(maxsize=65536)
def _html_line(line: Line, language: str) -> str:
    words = _words_in(language)
    mark = (
        f'<strong style="color: #b02a37;">{escape(words.overdue)}</strong> ' if line.overdue else ""
    )
    return (
        f'<li>{mark}<a href="{escape(line.link)}">{escape(line.title)}</a> '
        f'<span style="color: #6c757d;">{escape(words.due)} {escape(line.due)}</span></li>\n'
    )


def _group_text(group: ActionGroup, lines: list[Line], words: Words) -> str:
    head = f"\n== {group.label}: {group.count}"
    if group.overdue:
        head += " (" + words.overdue_n % {"overdue": group.overdue} + ")"
    out = [head, "\n"]
    out.extend(_text_line(line, words.language) for line in lines)
    if group.more:
        out.append("  " + words.more_n % {"more": group.more} + "\n")
    return "".join(out)


def _group_html(group: ActionGroup, lines: list[Line], words: Words) -> str:
    style = "font-size: 16px; margin-bottom: 4px;"
    head = f'\n<h2 style="{style}">{escape(group.label)}: {group.count}'
    if group.overdue:
        overdue = escape(words.overdue_n % {"overdue": group.overdue})
        head += f' <span style="color: #b02a37;">({overdue})</span>'
    out = [head, '</h2>\n<ul style="margin-top: 0;">\n']
    out.extend(_html_line(line, words.language) for line in lines)
    if group.more:
        out.append(f"<li>{escape(words.more_n % {'more': group.more})}</li>")
    out.append("\n</ul>\n")
    return "".join(out)


@lru_cache(maxsize=8)
def _template(name: str) -> Any:
    """A template compiled once (not looked up again per person)."""
    return get_template(name)


@lru_cache(maxsize=1024)
def _overview(
    scope: str,
    groups: tuple[ActionGroup, ...],
    figures: tuple[KeyFigure, ...],
    site: str,
    language: str,
) -> tuple[str, str]:
    """A commander's part of the digest (text, HTML): the same for every commander of one
    unit on one day, so rendered once for them all."""
    context = {
        "scope": scope,
        "count": sum(g.count for g in groups),
        "groups": _lines(groups, site),
        "figures": figures,
        "words": _words(),
    }
    return (
        _template("notices/email/digest_overview.txt").render(context),
        _template("notices/email/digest_overview.html").render(context),
    )


# the slots of templates/notices/email/digest.html
_SLOTS = ("title", "heading", "body", "overview_html", "brigade")
_MARK = re.compile("\x00([a-z_]+)\x00")


@lru_cache(maxsize=8)
def _page(language: str) -> tuple[str, ...]:
    """templates/notices/email/digest.html rendered once per language with a marker in
    each slot, cut at the markers: the page's text and the slots' names, alternating."""
    with translation.override(language):
        marked = _template("notices/email/digest.html").render(
            {name: mark_safe(f"\x00{name}\x00") for name in _SLOTS}
        )
    return tuple(_MARK.split(marked))


def _fill(page: tuple[str, ...], slots: Mapping[str, str]) -> str:
    """The page with each slot's (escaped) text: what rendering the template gives."""
    return "".join(slots[piece] if i % 2 else piece for i, piece in enumerate(page))


def subject(digest: Digest) -> str:
    return _("Daily digest %(date)s: %(count)s to do, %(overdue)s overdue") % {
        "date": digest.day.isoformat(),
        "count": digest.count,
        "overdue": digest.overdue_count,
    }


def render(digest: Digest) -> Mail:
    """The digest's e-mail, in the project's language (people have no language of their
    own): the text part formatted here, the HTML part templates/notices/email/digest.html."""
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        site = settings.SITE_URL
        words = _words_in(language)
        overview_text = overview_html = ""
        if digest.commands:
            overview_text, overview_html = _overview(
                digest.commands,
                tuple(digest.overdue),
                tuple(digest.figures),
                site,
                language,
            )
        day = digest.day.isoformat()
        heading = words.heading % {"name": digest.name, "date": day}
        groups = _lines(digest.groups, site)
        if groups:
            summary = _todo(language, digest.count)
            summary_html: str = escape(summary)
            if digest.overdue_count:
                overdue = words.overdue_n % {"overdue": digest.overdue_count}
                summary += ", " + overdue
                summary_html += f', <strong style="color: #b02a37;">{escape(overdue)}</strong>'
            text_body = summary + "\n" + "".join(_group_text(g, ls, words) for g, ls in groups)
            html_body = (
                f"\n<p>{summary_html}</p>\n"
                + "".join(_group_html(g, ls, words) for g, ls in groups)
                + "\n"
            )
        else:
            text_body = words.nothing + "\n"
            html_body = f"<p>{escape(words.nothing)}</p>"
        brigade = settings.BRIGADE_NAME
        text = f"{heading}\n\n{text_body}{overview_text}\n-- \n{brigade}\n\n"
        html = _fill(
            _page(language),
            {
                "title": escape(words.title % {"date": day}),
                "heading": escape(heading),
                "body": html_body,  # escaped above
                "overview_html": overview_html,  # a template's output
                "brigade": escape(brigade),
            },
        )
        return Mail(subject=subject(digest), text=text, html=html)


@dataclass(frozen=True)
class UnitDigest:
    """A unit's group message of the day: its items by action, and its overdue ones."""

    unit_id: int
    name: str
    webhook: str
    groups: list[ActionGroup]
    overdue: list[ActionGroup]

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def overdue_count(self) -> int:
        return sum(g.overdue for g in self.groups)


def unit_digests(day: dt.date, rows: Sequence[ItemRow]) -> list[UnitDigest]:
    """The group messages of the units that have a robot and items due (one query)."""
    by_unit: dict[int, list[ItemRow]] = defaultdict(list)
    for row in distinct_items(rows):
        if row.unit_id is not None:
            by_unit[row.unit_id].append(row)
    info = channels.units.info(by_unit)
    out = []
    for pk in sorted(by_unit):
        unit = info.get(pk)
        if unit is None or not unit.robot_webhook_url:
            continue
        found = by_unit[pk]
        out.append(
            UnitDigest(
                unit_id=pk,
                name=unit.name,
                webhook=unit.robot_webhook_url,
                groups=group(found),
                overdue=group(r for r in found if r.overdue),
            )
        )
    return out


def render_unit(day: dt.date, unit: UnitDigest) -> tuple[str, str]:
    """A unit's group message: title and markdown (templates/notices/robot/digest.md)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(unit)s: daily digest %(date)s") % {"unit": unit.name, "date": day}
        text = render_to_string(
            "notices/robot/digest.md",
            {"unit": unit, "day": day, "title": title, "site": settings.SITE_URL},
        )
    return title, text.strip()


# --- sending ------------------------------------------------------------------------------


@dataclass
class Sent:
    """One line of what went to whom: the person, their channels, their counts."""

    username: str
    name: str
    channels: list[str]
    counts: dict[str, int]
    overdue: int
    overview: int
    new: bool


@dataclass
class DigestReport:
    """What ``send_digests`` did (or, dry, would do) for a day."""

    day: dt.date
    workday: bool
    dry_run: bool = False
    people: list[Sent] = field(default_factory=list)
    units: list[tuple[str, int, bool]] = field(default_factory=list)  # name, items, new
    notices: int = 0  # new notices written
    deliveries: int = 0  # new deliveries (e-mails and group messages)

    @property
    def nothing_new(self) -> bool:
        return not any(p.new for p in self.people) and not any(new for *_, new in self.units)


def send_digests(day: dt.date, dry_run: bool = False) -> DigestReport:
    """Send ``day``'s digests, once per person (and robot message once per unit); on a day
    off (weekend, public holiday; a 调休 Saturday is a working day) nothing."""
    if not is_workday(day):
        return DigestReport(day=day, workday=False, dry_run=dry_run)
    collected = items.collect(day)
    digests = [d for d in build_digests(day, collected) if d.has_content]
    units = unit_digests(day, collected)
    report = DigestReport(day=day, workday=True, dry_run=dry_run)
    key = digest_key(day)
    already = set(
        Notice.objects.filter(kind=NoticeKind.DIGEST, key=key).values_list("user_id", flat=True)
    )
    sent_units = set(
        Delivery.objects.filter(key__in=[unit_key(day, u.unit_id) for u in units]).values_list(
            "key", flat=True
        )
    )
    prefs = preferences({d.user_id for d in digests})
    emails = addresses({d.user_id for d in digests}) if channels.email_enabled() else {}

    mails = {
        (d.user_id, key): render(d) for d in digests if not dry_run and d.user_id not in already
    }
    with transaction.atomic():
        created: set[int] = set()
        if not dry_run and mails:
            from brigade.core.notices.send import create_notices

            specs = [
                Notice(
                    user_id=d.user_id,
                    kind=NoticeKind.DIGEST,
                    key=key,
                    title=mails[(d.user_id, key)].subject,
                    body=mails[(d.user_id, key)].text,
                    created_at=timezone.now(),
                )
                for d in digests
                if (d.user_id, key) in mails
            ]
            with prepared_mails(mails):
                new = create_notices(specs)
            created = {n.user_id for n in new}
            report.notices = len(new)
            report.deliveries += Delivery.objects.filter(notice__in=new).count()
        for d in digests:
            by = [str(_("in the app"))]
            if prefs[d.user_id].by_email and emails.get(d.user_id):
                by.append(str(_("e-mail")))
            report.people.append(
                Sent(
                    username=d.username,
                    name=d.name,
                    channels=by,
                    counts=d.counts(),
                    overdue=d.overdue_count,
                    overview=d.overview_count,
                    new=(d.user_id not in already) if dry_run else d.user_id in created,
                )
            )
        new_units: set[int] = set()
        if not dry_run:
            stamp = timezone.now()
            rows = []
            for unit in units:
                if unit_key(day, unit.unit_id) in sent_units:
                    continue
                title, text = render_unit(day, unit)
                rows.append(
                    Delivery(
                        unit_id=unit.unit_id,
                        channel=DeliveryChannel.WEBHOOK,
                        target=unit.webhook,
                        key=unit_key(day, unit.unit_id),
                        subject=title[:300],
                        payload=channels.webhook_body(title, text),
                        created_at=stamp,
                    )
                )
            ids = create_deliveries(rows, stamp)
            report.deliveries += len(ids)
            new_units = {
                pk
                for pk in Delivery.objects.filter(pk__in=ids).values_list("unit_id", flat=True)
                if pk is not None
            }
        for unit in units:
            is_new = (
                unit_key(day, unit.unit_id) not in sent_units
                if dry_run
                else unit.unit_id in new_units
            )
            report.units.append((unit.name, unit.count, is_new))
    return report
