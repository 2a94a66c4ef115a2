"""Stored and reflected cross-site scripting, and formulas in Excel exports.

Every free-text field of every model (discovered from the models: CharField/TextField
without choices) of every record of the permission matrix's world is overwritten with a
hostile payload (tests/security/hostile.py). Then every page the URL resolver knows is
rendered as every role that may read it, as a full page and as the htmx fragment, and the
API's browsable HTML too; every page's GET form is submitted back with payloads in its
text inputs; every Excel export linked or offered is downloaded. No payload may arrive
unescaped, none may land where a browser runs it, none may be evaluated, and no
spreadsheet cell may start like a formula.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.matrix import ADMIN, CLERK, COMMANDER, OFFICER, Rule
from tests.security import hostile
from tests.security.hostile import Findings, Planted
from tests.test_permission_matrix import MATRIX, World, project_routes

ROLES = (OFFICER, CLERK, COMMANDER, ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    roles: tuple[str, ...]
    api: bool


def readable_pages(world: World) -> list[Page]:
    """Every route a role may GET, with its record (of the role's own unit) filled in."""
    routes = project_routes()
    pages = []
    for name, rule in sorted(MATRIX.items()):
        roles = tuple(r for r in ROLES if r in rule.allow.get("GET", frozenset()))
        if not roles or name not in routes or name in ("api-schema", "api-docs", "healthz"):
            continue
        pages.append(Page(name, reverse(name, kwargs=_kwargs(rule, world)), roles, rule.api))
    return pages


def _kwargs(rule: Rule, world: World) -> dict[str, Any]:
    kwargs = dict(rule.extra_kwargs)
    if rule.obj:
        kwargs["pk"] = world.own[rule.obj].pk
    return kwargs


@pytest.fixture(scope="module")
def planted(world, django_db_blocker) -> dict[str, Planted]:
    with django_db_blocker.unblock():
        return hostile.plant(hostile.free_text_fields())


@pytest.fixture
def clients(db, world) -> dict[str, Client]:
    made = {}
    for role in ROLES:
        made[role] = Client()
        made[role].force_login(world.users[role])
    return made


def _get(client: Client, url: str, **headers: str) -> Any:
    return client.get(url, headers=headers)


def _is_html(response: Any) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


class _Links(HTMLParser):
    """GET forms (action and text inputs) and export links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []
        self.exports: set[str] = set()
        self._form: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "get":
            self._form = (a.get("action", ""), [])
            self.forms.append(self._form)
        elif tag == "form":
            self._form = None
        elif tag in ("input", "textarea") and self._form is not None and a.get("name"):
            if tag == "textarea" or a.get("type", "text") in ("text", "search", "hidden"):
                self._form[1].append(a["name"])
        elif tag == "a" and "export=" in a.get("href", ""):
            self.exports.add(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _links(body: str) -> _Links:
    parser = _Links()
    parser.feed(body)
    return parser


def _export_urls(page: Page, body: str) -> Iterator[str]:
    yield from _links(body).exports
    yield f"{page.url}?export=xlsx"


def test_stored_text_is_shown_as_text_everywhere(world, planted, clients):
    # given: every free-text field of every record holds a payload
    findings = Findings()
    pages = readable_pages(world)
    rendered = 0
    # when: every page is read by every role that may, whole and as an htmx fragment
    for page in pages:
        for role in page.roles:
            variants = [{"Accept": "text/html"}] if page.api else [{}, {"HX-Request": "true"}]
            for headers in variants:
                response = _get(clients[role], page.url, **headers)
                where = f"GET {page.url} as {role}{' (htmx)' if 'HX-Request' in headers else ''}"
                assert response.status_code < 500, where
                if response.status_code == 200 and _is_html(response):
                    rendered += 1
                    hostile.check_html(response.content.decode(), planted, where, findings)
    # then: nothing escaped its text, and the sweep saw payloads of every kind
    assert not findings.problems, "\n".join(findings.problems)
    assert rendered >= len(pages)
    unseen = set(range(len(hostile.PAYLOADS))) - hostile.kinds_seen(planted.values(), findings.seen)
    assert not unseen, f"payloads never rendered: {[hostile.PAYLOADS[i] for i in unseen]}"
    fields = {(p.model, p.field) for p in planted.values()}
    shown = {(p.model, p.field) for p in planted.values() if p.marker in findings.seen}
    print(f"\n{rendered} pages rendered; {len(shown)} of {len(fields)} fields shown on them")


def test_text_sent_back_in_a_search_is_shown_as_text(world, planted, clients):
    # given: each page's GET forms, every text input filled with a payload
    findings = Findings()
    reflected: dict[str, Planted] = {}
    counter = iter(range(1, 10**6))
    submitted = 0
    for page in readable_pages(world):
        if page.api:
            continue
        role = page.roles[0]
        response = _get(clients[role], page.url)
        if response.status_code != 200 or not _is_html(response):
            continue
        for action, names in _links(response.content.decode()).forms:
            if not names:
                continue
            params = {}
            for name in names:
                marker = f"xr{next(counter)}z"
                payload = hostile.PAYLOADS[len(reflected) % len(hostile.PAYLOADS)]
                reflected[marker] = Planted(
                    "query", name, page.name, hostile.fill(payload, marker), marker
                )
                params[name] = reflected[marker].payload
            target = urllib.parse.urljoin(page.url, action or page.url)
            url = f"{target}?{urllib.parse.urlencode(params)}"
            # when: the form is submitted
            answer = _get(clients[role], url)
            where = f"GET {target} (form of {page.name}) as {role}"
            assert answer.status_code < 500, where
            if _is_html(answer):
                submitted += 1
                hostile.check_html(answer.content.decode(), reflected, where, findings)
    # and the sign-in page's "next"
    anonymous = Client()
    marker = "xr0z"
    reflected[marker] = Planted(
        "query", "next", "login", hostile.fill(hostile.PAYLOADS[1], marker), marker
    )
    answer = anonymous.get(reverse("login"), {"next": reflected[marker].payload})
    hostile.check_html(answer.content.decode(), reflected, "GET login?next=", findings)
    # then
    assert not findings.problems, "\n".join(findings.problems)
    assert submitted >= 10, "too few search forms found: the discovery is broken"
    print(f"\n{submitted} search forms submitted with payloads")


def test_exports_write_text_never_formulas(world, planted, clients):
    # given: the lists' Excel exports (offered as ?export=xlsx or linked from the page)
    findings = Findings()
    exported = 0
    for page in readable_pages(world):
        if page.api:
            continue
        role = COMMANDER if COMMANDER in page.roles else page.roles[0]
        response = _get(clients[role], page.url)
        if response.status_code != 200 or not _is_html(response):
            continue
        for url in sorted(set(_export_urls(page, response.content.decode()))):
            # when: it is downloaded
            target = urllib.parse.urljoin(page.url, url)
            answer = _get(clients[role], target)
            assert answer.status_code < 500, target
            if answer.get("Content-Type", "").startswith(XLSX):
                exported += 1
                content = b"".join(answer.streaming_content) if answer.streaming else answer.content
                hostile.check_xlsx(content, planted, f"GET {target} as {role}", findings)
    # then: every formula-looking text is written as text, and the exports held payloads
    assert not findings.problems, "\n".join(findings.problems)
    assert exported >= 10, f"only {exported} exports found"
    formulas = {i for i, p in enumerate(hostile.PAYLOADS) if p.startswith(("=", "+", "-", "@"))}
    # every way a cell can start a formula (=, +, -, @) was written into some export
    seen = formulas & hostile.kinds_seen(planted.values(), findings.seen)
    starts = {hostile.PAYLOADS[kind][0] for kind in formulas}
    assert starts <= {hostile.PAYLOADS[kind][0] for kind in seen}, sorted(formulas - seen)
    print(f"\n{exported} Excel exports read")
