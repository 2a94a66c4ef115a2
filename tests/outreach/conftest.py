"""The outreach tests read messages in English (the catalogs' second language); the
translation test (tests/brigade/test_pages.py) checks every Chinese message exists."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
