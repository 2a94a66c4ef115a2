"""Hostile text: payloads that execute, break out or evaluate if a page, a spreadsheet or
a template treats a user's text as anything but text; every free-text field of every
model filled with them; and the checks that a rendered page or an export kept them inert.

Each planted value carries a marker (``xq17z``) that names the field and row it was put
in, so a finding says where the text came from, and the sweep can count which fields it
saw rendered.
"""

from __future__ import annotations

import html
import io
import itertools
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

# ``{m}`` is where the marker goes: first for markup, after the first character for
# spreadsheet formulas (which must start with = + - @ to be one).
PAYLOADS = [
    '{m}<script>alert("{m}")</script>',
    '{m}"><script>alert(1)</script>',
    "{m}'><img src=x onerror=alert(1)>",
    '{m}" onmouseover="alert(1)" x="',
    "{m}' onfocus='alert(1)' autofocus x='",
    'javascript:alert("{m}")',
    "{m}<svg onload=alert(1)>",
    "{m}<svg><script>alert(1)</script></svg>",
    '{m}<iframe src="javascript:alert(1)"></iframe>',
    "{m}</textarea><script>alert(1)</script>",
    "{m}</title><script>alert(1)</script>",
    "{m}</script><script>alert(1)</script>",
    '{m}<a href="javascript:alert(1)">x</a>',
    "{m}<details open ontoggle=alert(1)>",
    "{m}<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '{m}<base href="//evil.example/">',
    "{m}<style>*{display:none}</style>",
    # server- and client-side template injection: must show literally, never evaluated
    "{m}{{ 7|add:1330 }}",
    '{m}{% now "Y" %}',
    "{m}${alert(1)}",
    "{m}{{constructor.constructor('alert(1)')()}}",
    # text that is already escaped, or URL-encoded, must not be decoded on the way out
    "{m}&lt;script&gt;alert(1)&lt;/script&gt;",
    "{m}%3Cscript%3Ealert(1)%3C/script%3E",
    # unicode tricks: right-to-left override, zero-width characters, fullwidth brackets,
    # line separators (which end a JavaScript string in older engines)
    "{m}\u202e<script>alert(1)</script>",
    "{m}<scr\u200bipt>alert(1)</scr\u200bipt>",
    "{m}\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "{m}\u2028\u2029</script>",
    # spreadsheet formulas (CSV/Excel injection)
    "={m}cmd|' /C calc'!A0",
    "+{m}SUM(1,1)*cmd|' /C calc'!A0",
    "-{m}2+3+cmd|' /C calc'!A0",
    "@{m}SUM(1,1)",
    '={m}HYPERLINK("http://evil.example/","click")',
    # short ones, for fields that hold only a few characters
    "{m}'\"><i>",
    "={m}1+1",
    "@{m}x()",
]


def fill(payload: str, marker: str) -> str:
    return payload.replace("{m}", marker)


# Case-insensitive: an identifier may be stored in capitals (a plate).
MARKER = re.compile(r"x[qr]\d+z", re.IGNORECASE)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters that mean markup when a page sends them unescaped.
MARKUP = set("<>\"'")

# Fields no user writes, or that only hold a fixed format the code reads back.
NOT_FREE_TEXT = {
    "history_change_reason",  # written by the history machinery
    "weekdays",  # DutyPost: the digits 1-7, parsed by the schedule
}
# Apps whose text fields are the users'; the KPI tables hold metric keys the code writes.
APPS = ("brigade", "hazards", "incidents", "petitions", "outreach")
# ... and the notices' delivery log holds addresses, keys and the message as sent (JSON).
SKIP_MODELS = {"KpiWeek", "KpiFlow", "KpiRollup", "KpiPublished", "KpiRun", "KpiDirty", "Delivery"}


@dataclass(frozen=True)
class Planted:
    model: str
    field: str
    pk: Any
    payload: str  # as stored (an identifier is kept normalised)
    marker: str
    written: str = ""  # as written, when storing changed it

    @property
    def shown_marker(self) -> str:
        """The marker as stored (an identifier in capitals holds it in capitals)."""
        found = MARKER.search(self.payload)
        return found.group() if found else self.marker

    @property
    def where(self) -> str:
        return f"{self.model}.{self.field} (pk {self.pk})"


def free_text_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every CharField/TextField a user writes: no choices, editable, not a file path."""
    found = []
    candidates = [m for label in APPS for m in apps.get_app_config(label).get_models()]
    candidates.append(get_user_model())
    for model in candidates:
        if model.__name__ in SKIP_MODELS:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField):
                continue
            if f.choices or not f.editable or f.primary_key or f.name in NOT_FREE_TEXT:
                continue
            if model is get_user_model() and f.name not in ("first_name", "last_name"):
                continue  # usernames and passwords follow their own rules
            if _is_file_path(model, f):
                continue
            found.append((model, f))
    return found


def _is_file_path(model: type[models.Model], f: models.Field) -> bool:
    """A history model copies a FileField as a CharField holding its path."""
    base = getattr(model, "instance_type", None)
    if base is None:
        return False
    try:
        original = base._meta.get_field(f.name)
    except Exception:
        return False
    return isinstance(original, models.FileField)


def plant(
    fields: list[tuple[type[models.Model], models.Field]], prefix: str = "q"
) -> dict[str, Planted]:
    """Overwrite every row's free text with payloads (``update()``, so no validation or
    signal changes them on the way in). Rows of one field get different payloads."""
    planted: dict[str, Planted] = {}
    counter = itertools.count(1)
    # Which kind lands in which field follows the fields' order; the sweeps check that the
    # pages and the exports showed every kind, and this start gives them all one.
    cycle = itertools.count(7)
    for model, f in fields:
        limit = f.max_length or 10_000
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True):
            marker = f"x{prefix}{next(counter)}z"
            payload = _fitting(marker, limit, next(cycle))
            if payload is None:
                continue
            rows = model._default_manager.filter(pk=pk)
            rows.update(**{f.attname: payload})
            # as stored: an identifier is kept normalised (NFKC, no spaces or invisibles)
            stored = rows.values_list(f.attname, flat=True).get()
            planted[marker] = Planted(model.__name__, f.name, pk, stored, marker, written=payload)
    return planted


def _fitting(marker: str, limit: int, start: int) -> str | None:
    for offset in range(len(PAYLOADS)):
        payload = fill(PAYLOADS[(start + offset) % len(PAYLOADS)], marker)
        if len(payload) <= limit:
            return payload
    return None


# --- HTML -----------------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
SCRIPT_ATTRIBUTES = ("on", "hx-on", "hx-vals", "hx-vars", "_")
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def add(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")


class _Scanner(HTMLParser):
    def __init__(self, planted: dict[str, Planted], where: str, findings: Findings) -> None:
        super().__init__(convert_charrefs=True)
        self.planted = planted
        self.where = where
        self.findings = findings
        self.script: str | None = None  # the type of the script element we are in

    def _markers(self, text: str) -> Iterator[tuple[int, Planted]]:
        for match in MARKER.finditer(text):
            planted = self.planted.get(match.group().lower())
            if planted is not None:
                self.findings.seen.add(planted.marker)
                yield match.start(), planted

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if MARKER.search(tag):
            self.findings.add(self.where, f"an element made of user text: <{tag}>")
        for name, value in attrs:
            text = _without_secrets(tag, name, value or "", attrs)
            if MARKER.search(name):
                self.findings.add(self.where, f"an attribute made of user text: {name}")
            for _start, planted in self._markers(text):
                if name.startswith(SCRIPT_ATTRIBUTES):
                    self.findings.add(
                        self.where, f"{planted.where} inside the script attribute {name}"
                    )
                if name in URL_ATTRIBUTES and _scheme(text) in ("javascript", "vbscript", "data"):
                    self.findings.add(self.where, f"{planted.where} as a {_scheme(text)}: URL")
            self._literal(text, f"<{tag} {name}>")
        if tag == "script":
            kind = dict(attrs).get("type") or "text/javascript"
            self.script = kind.lower()

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.script = None

    def handle_data(self, data: str) -> None:
        if self.script is not None and self.script not in DATA_SCRIPT_TYPES:
            for _start, planted in self._markers(data):
                self.findings.add(self.where, f"{planted.where} inside an inline script")
            return
        if self.script is not None:
            # JSON data islands: the markers are seen, the text is JSON-escaped, not HTML
            list(self._markers(data))
            return
        self._literal(data, "text")

    def _literal(self, text: str, context: str) -> None:
        """Where a marker shows, what follows it must be the payload's own text (perhaps
        cut short with an ellipsis): anything else means markup or a template ate it."""
        readings = [text]
        if "%" in text or "+" in text:
            # a link or a hidden field carrying the query string: URL-encoded, inert
            readings.append(urllib.parse.unquote_plus(text))
        for reading in readings:
            failures = list(self._not_literal(reading, context))
            if not failures:
                return
        self.findings.problems.extend(failures)

    def _not_literal(self, text: str, context: str) -> Iterator[str]:
        for start, planted in self._markers(text):
            # what follows this marker in the payload (a payload may hold it twice)
            tails = planted.payload.split(planted.shown_marker)[1:]
            shown = text[start + len(planted.shown_marker) :]
            if any(_continues(shown, tail) for tail in tails):
                continue
            yield (
                f"{self.where}: {planted.where} not shown literally in {context}: "
                f"{shown[: len(tails[0]) + 10]!r} for {tails[0]!r}"
            )


def _without_secrets(tag: str, name: str, value: str, attrs: list[tuple[str, str | None]]) -> str:
    """An attribute with the value of a random secret (the CSRF token, a CSP nonce) reads as
    empty: random letters and digits may spell a marker by chance."""
    if name == "nonce" or (tag == "input" and ("name", "csrfmiddlewaretoken") in attrs):
        return ""
    if name == "hx-headers":
        return re.sub(r'("X-CSRFToken"\s*:\s*")[^"]*"', r'\1"', value)
    return value


def _continues(shown: str, tail: str) -> bool:
    """Does the text after a marker go on as the payload did, or stop short of it with an
    ellipsis (a template that truncates)?"""
    if shown.startswith(tail):
        return True
    cut = shown.rstrip()
    if cut.endswith(("…", "...")):
        cut = cut.rstrip(".…").rstrip()
        return tail.startswith(cut)
    return False


def _scheme(url: str) -> str:
    cleaned = re.sub(r"[\x00-\x20\u200b-\u200f\u202a-\u202e]+", "", html.unescape(url))
    return cleaned.split(":", 1)[0].lower() if ":" in cleaned else ""


def check_html(body: str, planted: dict[str, Planted], where: str, findings: Findings) -> None:
    """The page sends no planted payload unescaped, and no planted text lands where a
    browser runs it (an element, an event attribute, a script, a javascript: URL)."""
    for marker in set(MARKER.findall(body)):
        planted_here = planted.get(marker.lower())
        if planted_here is None:
            continue
        if set(planted_here.payload) & MARKUP and planted_here.payload in body:
            findings.add(where, f"{planted_here.where} sent unescaped: {planted_here.payload!r}")
    scanner = _Scanner(planted, where, findings)
    scanner.feed(body)
    scanner.close()


# --- spreadsheets ---------------------------------------------------------------------------


def check_xlsx(content: bytes, planted: dict[str, Planted], where: str, findings: Findings) -> int:
    """No cell is a formula, and no text cell starts like one. Returns the cells read."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cells += 1
                value = cell.value
                if cell.data_type == "f":
                    findings.add(where, f"{sheet.title}!{cell.coordinate} is a formula: {value!r}")
                    continue
                if not isinstance(value, str):
                    continue
                for marker in MARKER.findall(value):
                    if marker.lower() in planted:
                        findings.seen.add(marker.lower())
                if value.startswith(FORMULA_PREFIXES):
                    findings.add(
                        where, f"{sheet.title}!{cell.coordinate} starts like a formula: {value!r}"
                    )
    return cells


def kinds_seen(planted: Iterable[Planted], seen: set[str]) -> set[int]:
    """Which payloads (by their index in PAYLOADS) were seen rendered at least once."""
    templates = {fill(p, "\0"): i for i, p in enumerate(PAYLOADS)}
    kinds = set()
    for item in planted:
        if item.marker in seen:
            kinds.add(templates[(item.written or item.payload).replace(item.marker, "\0")])
    return kinds
