"""Names people type in two languages: which one a page shows. One rule, for the records
(``brigade.core.modelbase.NamedRecord``) and for rows read as plain values alike."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language


def reads_english(language: str | None = None) -> bool:
    """Whether the page is read in English (``language``, default the active one)."""
    code = language or get_language() or settings.LANGUAGE_CODE
    return code.lower().split("-")[0] == "en"


def shown_name(name: str, name_en: str | None, language: str | None = None) -> str:
    """The one rule for a name typed in two languages: the English name on an English page
    when one is given, else the Chinese name (the one every record has)."""
    if name_en and reads_english(language):
        return name_en
    return name
