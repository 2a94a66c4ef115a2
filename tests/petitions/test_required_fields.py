"""The new-ticket form (and every form drawn by the shared field partial) marks its
required fields with a visible * and the word "required" for screen readers, and the
server, not only the browser's bubble, says what to fix."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

REQUIRED = ("number", "received_at", "channel", "category", "unit", "content")
OPTIONAL = ("citizen_name", "citizen_phone", "location")


def label_of(html: str, name: str) -> str:
    found = re.search(rf'<label class="form-label" for="id_{name}">(.*?)</label>', html, re.S)
    assert found, name
    return found.group(1)


def test_required_fields_are_marked(client, clerk):
    client.force_login(clerk)
    html = client.get(reverse("petitions:ticket_create")).content.decode()
    for name in REQUIRED:
        label = label_of(html, name)
        assert 'data-testid="required-mark">*</span>' in label, name
        assert 'class="visually-hidden"> (必填)' in label, name
    for name in OPTIONAL:
        assert "required-mark" not in label_of(html, name), name
    assert 'data-testid="required-note"' in html
    # the server checks: no browser bubble in the way
    assert re.search(r'<form [^>]*novalidate[^>]*data-testid="ticket-form"', html)


def test_required_mark_in_english(client, clerk):
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("petitions:ticket_create")).content.decode()
    assert 'class="visually-hidden"> (required)' in label_of(html, "number")


def test_an_empty_ticket_is_answered_with_messages(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("petitions:ticket_create"), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="form-errors-summary"' in html
    for name in ("number", "category", "unit", "content"):
        assert f'data-testid="error-{name}"' in html, name
    # the field says it is wrong to assistive technology too
    assert re.search(r'name="number"[^>]*aria-invalid="true"', html)
