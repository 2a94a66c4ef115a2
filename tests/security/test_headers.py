"""Content-Security-Policy on every answer, and the API's schema and docs behind a sign-in.

Every page the permission matrix knows is read by every role that may (the sweep of
test_xss.py), whole and as an htmx fragment, and every API list as JSON: each answer carries
the policy; a whole page carries a nonce of its own (never the same twice) that every
``<script>`` and ``<style>`` of the page bears, or the script comes from this server; and no
page has an inline event handler (``onclick=``...), an ``hx-on`` attribute or a
``javascript:`` URL, which the policy would block. The browser side (no violation reported,
the charts and htmx still working) is tests/browser/test_csp.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from brigade.core.tokens import issue_token
from tests.matrix import ADMIN, CLERK, COMMANDER, OFFICER
from tests.security.test_xss import Page, readable_pages

ROLES = (OFFICER, CLERK, COMMANDER, ADMIN)
HEADER = "Content-Security-Policy"

# The policy the pages are written for (brigade/settings.py: CONTENT_SECURITY_POLICY).
EXPECTED = {
    "default-src": {"'self'"},
    "script-src": {"'self'", "'nonce-*'"},
    "style-src": {"'self'", "'nonce-*'"},
    "img-src": {"'self'", "data:", "blob:"},
    "connect-src": {"'self'"},
    "font-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def directives(header: str) -> dict[str, set[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = {NONCE.sub("'nonce-*'", w) for w in words[1:]}
    return parsed


def nonce_of(header: str) -> str | None:
    script_src = next((p for p in header.split(";") if p.split()[:1] == ["script-src"]), "")
    found = NONCE.search(script_src)
    return found.group(1) if found else None


class _Markup(HTMLParser):
    """What a policy without 'unsafe-inline' would block, as found in a page."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name, value in a.items():
            if re.fullmatch(r"on\w+", name):
                self.problems.append(f"<{tag} {name}=...>: an inline event handler")
            if name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=...>: htmx would evaluate it")
            if name in ("href", "src", "action", "formaction", "data") and re.match(
                r"\s*javascript:", value, re.IGNORECASE
            ):
                self.problems.append(f"<{tag} {name}={value!r}>: a javascript: URL")
        if tag == "script":
            self.scripts += 1
            kind = a.get("type", "").lower()
            if kind == "application/json" and "src" not in a:
                return  # a data block (json_script): never run, read by a script
            src = a.get("src", "")
            same_origin = src.startswith("/") and not src.startswith("//")
            if not same_origin and (self.nonce is None or a.get("nonce") != self.nonce):
                self.problems.append(f"<script {a}>: neither from this server nor the nonce")
        if tag == "style" and (self.nonce is None or a.get("nonce") != self.nonce):
            self.problems.append("<style> without the answer's nonce")


def markup_problems(body: str, nonce: str | None) -> list[str]:
    parser = _Markup(nonce)
    parser.feed(body)
    parser.close()
    return parser.problems


def policy_problems(header: str | None, nonce: bool = True) -> list[str]:
    """What the header lacks of the policy; ``nonce=False`` for an answer that renders no
    script (an htmx fragment, JSON), whose policy then names no nonce."""
    if not header:
        return ["no Content-Security-Policy header"]
    got = directives(header)
    problems = []
    for name, want in EXPECTED.items():
        have = got.get(name, set())
        if not nonce:
            have, want = have - {"'nonce-*'"}, want - {"'nonce-*'"}
        if have != want:
            problems.append(f"{name}: {sorted(have)}, expected {sorted(want)}")
    return problems


def whole_page(body: str) -> bool:
    return body.lstrip().lower().startswith("<!doctype html")


@pytest.fixture
def clients(db, world) -> dict[str, Client]:
    made = {}
    for role in ROLES:
        made[role] = Client(headers={"Accept-Language": "en"})
        made[role].force_login(world.users[role])
    return made


def _pages(world) -> list[Page]:  # type: ignore[no-untyped-def]
    return readable_pages(world)


def test_every_page_carries_the_policy_and_its_scripts_the_nonce(world, clients):
    # given: every page every role may read
    problems: list[str] = []
    nonces: list[str] = []
    pages = 0
    for page in _pages(world):
        if page.api:
            continue
        for role in page.roles:
            # when: it is read whole
            response = clients[role].get(page.url)
            where = f"GET {page.url} as {role}"
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            body = response.content.decode()
            header = response.get(HEADER)
            nonce = nonce_of(header or "")
            if not whole_page(body):
                # a page that is an htmx fragment only (a recompute's progress)
                problems += [f"{where}: {p}" for p in policy_problems(header, nonce=False)]
                problems += [f"{where}: {p}" for p in markup_problems(body, nonce)]
                continue
            pages += 1
            problems += [f"{where}: {p}" for p in policy_problems(header)]
            if nonce is None:
                problems.append(f"{where}: no nonce in the policy")
            else:
                nonces.append(nonce)
            problems += [f"{where}: {p}" for p in markup_problems(body, nonce)]
    # then: the policy everywhere, every script allowed by it, and a new nonce every time
    assert not problems, "\n".join(problems)
    assert pages >= 50, "too few pages found: the discovery is broken"
    assert len(set(nonces)) == len(nonces) == pages


def test_htmx_fragments_carry_the_policy_and_no_inline_code(world, clients):
    problems: list[str] = []
    fragments = 0
    for page in _pages(world):
        if page.api:
            continue
        role = page.roles[0]
        response = clients[role].get(page.url, headers={"HX-Request": "true"})
        where = f"GET {page.url} as {role} (htmx)"
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        fragments += 1
        header = response.get(HEADER)
        body = response.content.decode()
        problems += [f"{where}: {p}" for p in policy_problems(header, whole_page(body))]
        problems += [f"{where}: {p}" for p in markup_problems(body, nonce_of(header or ""))]
    assert not problems, "\n".join(problems)
    assert fragments >= 50


def test_the_same_page_gets_a_new_nonce_each_time(world, clients):
    url = reverse("dashboard")

    first = clients[COMMANDER].get(url)
    second = clients[COMMANDER].get(url)

    assert first.status_code == second.status_code == 200
    nonces = [nonce_of(r[HEADER]) for r in (first, second)]
    assert None not in nonces and nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=True):
        assert f'nonce="{nonce}"' in response.content.decode()


def test_api_answers_carry_the_policy(world, clients):
    # given: every API route a role may read, and a call without credentials
    problems: list[str] = []
    answers = 0
    for page in _pages(world):
        if not page.api:
            continue
        role = page.roles[0]
        response = clients[role].get(page.url, headers={"Accept": "application/json"})
        where = f"GET {page.url} as {role}"
        if response.status_code != 200:
            continue
        answers += 1
        # JSON, or a file the API hands over (an export's download)
        if "attachment" not in response.get("Content-Disposition", ""):
            assert response["Content-Type"].startswith("application/json"), where
        problems += [f"{where}: {p}" for p in policy_problems(response.get(HEADER), False)]
    refused = APIClient().get("/api/v1/brigade/units/")
    assert refused.status_code == 401
    problems += [f"anonymous API call: {p}" for p in policy_problems(refused.get(HEADER), False)]
    # then
    assert not problems, "\n".join(problems)
    assert answers >= 30


def test_sign_in_and_error_pages_carry_the_policy(db):
    client = Client()
    for url, status in (("/accounts/login/", 200), ("/no-such-page/", 404)):
        response = client.get(url)
        assert response.status_code == status
        assert not policy_problems(response.get(HEADER)), url
        assert not markup_problems(response.content.decode(), nonce_of(response[HEADER]))


# --- the schema and its docs: signed-in users only ----------------------------------------


def test_anonymous_callers_get_no_schema(db):
    response = APIClient().get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 401
    assert "paths" not in response.json()


def test_anonymous_visitors_of_the_docs_are_sent_to_sign_in(db):
    response = Client().get(reverse("api-docs"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('api-docs')}"


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_reads_the_schema_and_the_docs(world, role):
    user = world.users[role]
    token_client = APIClient(headers={"Authorization": f"Token {issue_token(user)}"})
    schema = token_client.get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/brigade/patrols/" in schema.json()["paths"]
    assert not policy_problems(schema.get(HEADER), nonce=False)

    page_client = Client()
    page_client.force_login(user)
    docs = page_client.get(reverse("api-docs"))
    assert docs.status_code == 200
    nonce = nonce_of(docs[HEADER])
    assert nonce
    body = docs.content.decode()
    # the Swagger UI starter script and style are inline: they carry the nonce
    assert body.count(f'nonce="{nonce}"') >= 4
    assert not markup_problems(body, nonce)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/auth/user/add/",
        "/admin/django_celery_beat/periodictask/add/",
    ],
)
def test_admin_pages_run_under_the_policy(db, url):
    # the periodic task form's crontab help is an inline script of django-celery-beat's
    root = get_user_model().objects.create_superuser("csp-root", "", "not-used-here-1")
    client = Client()
    client.force_login(root)

    response = client.get(url)

    # the admin's own pages have no inline script: their policy needs no nonce
    assert response.status_code == 200
    assert not policy_problems(response.get(HEADER), nonce=False), url
    assert not markup_problems(response.content.decode(), nonce_of(response[HEADER]))
