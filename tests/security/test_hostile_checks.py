"""The XSS sweep's own checks catch what they are for: each broken page below is one a
careless template could send, and each must be reported."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.security import hostile
from tests.security.hostile import Findings, Planted


def planted(template: str, marker: str = "xq1z") -> dict[str, Planted]:
    return {marker: Planted("Hazard", "road", 1, hostile.fill(template, marker), marker)}


def problems(body: str, plants: dict[str, Planted]) -> list[str]:
    findings = Findings()
    hostile.check_html(body, plants, "page", findings)
    return findings.problems


def test_there_are_enough_payloads_of_every_kind():
    assert len(hostile.PAYLOADS) >= 20
    assert all("{m}" in p for p in hostile.PAYLOADS)
    assert sum(p.startswith(("=", "+", "-", "@")) for p in hostile.PAYLOADS) >= 4


def test_escaped_text_passes():
    plants = planted('{m}"><script>alert(1)</script>')
    text = "xq1z&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    body = f'<p title="{text}">{text}</p><p>xq1z&quot;&gt;&lt;scr…</p>'
    assert problems(body, plants) == []


@pytest.mark.parametrize(
    ("template", "body"),
    [
        # sent as markup
        ('{m}"><script>alert(1)</script>', '<p>xq1z"><script>alert(1)</script></p>'),
        # cut short but still markup: the text after the marker is not the payload's
        ("{m}<script>alert(1)</script>", "<p>xq1z<script>al…</p>"),
        # an attribute broken out of
        ('{m}" onmouseover="alert(1)" x="', '<a title="xq1z" onmouseover="alert(1)" x="">a</a>'),
        # a javascript: link
        ('javascript:alert("{m}")', '<a href="javascript:alert(&quot;xq1z&quot;)">x</a>'),
        # user text inside an inline script, even escaped for HTML
        ("{m}", '<script>var name = "xq1z";</script>'),
        # a template evaluated twice
        ("{m}{{ 7|add:1330 }}", "<p>xq1z1337</p>"),
        # text decoded on the way out
        ("{m}&lt;b&gt;", "<p>xq1z<b></p>"),
    ],
)
def test_broken_pages_are_reported(template, body):
    assert problems(body, planted(template))


def test_text_in_a_json_island_is_fine():
    plants = planted("{m}<script>alert(1)</script>")
    body = '<script type="application/json">{"road": "xq1z\\u003Cscript\\u003E"}</script>'
    assert problems(body, plants) == []


def _xlsx(*values: str) -> bytes:
    book = Workbook()
    for value in values:
        book.active.append([value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_formula_in_an_export_is_reported_and_a_defused_one_is_not():
    plants = planted("={m}cmd|' /C calc'!A0")
    payload = plants["xq1z"].payload

    bad = Findings()
    hostile.check_xlsx(_xlsx(payload), plants, "export", bad)
    assert bad.problems

    good = Findings()
    hostile.check_xlsx(_xlsx("'" + payload), plants, "export", good)
    assert good.problems == [] and good.seen == {"xq1z"}


def test_a_random_secret_that_spells_a_marker_is_not_user_text():
    # given: a CSRF token and a CSP nonce whose random letters happen to read "xq1z"
    plants = planted("{m}</script><script>alert(1)</script>")
    token = "gGADbXq1zMZF34gOadO2Na2OhMSClZs"
    body = (
        f'<body hx-headers=\'{{"X-CSRFToken": "{token}"}}\'>'
        f'<form><input type="hidden" name="csrfmiddlewaretoken" value="{token}"></form>'
        f'<script src="/static/a.js" nonce="{token}"></script></body>'
    )
    # then: nothing is reported
    assert problems(body, plants) == []


def test_user_text_beside_the_csrf_token_is_still_checked():
    # given: a header block that carries user text next to the token, unescaped
    plants = planted("{m}</script><script>alert(1)</script>")
    body = (
        '<body hx-headers=\'{"X-CSRFToken": "abc", "X-Note": '
        '"xq1z</script>"}\'><input name="q" value="xq1z<b>"></body>'
    )
    # then: both are reported
    found = problems(body, plants)
    assert len(found) == 2, found
