"""Django merges every catalog of the "django" domain into one: the project's (locale/) wins
over the apps' and, among apps, the one listed first in INSTALLED_APPS wins. A message
translated differently in two catalogs therefore shows one of the translations everywhere;
a message that means different things in two apps needs a context (pgettext)."""

import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation


def compiled_catalogs(language: str) -> dict[str, dict[object, str]]:
    base = Path(settings.BASE_DIR)
    catalogs: dict[str, dict[object, str]] = {}
    for path in [base / "locale", *sorted(base.glob("*/locale"))]:
        mo = path / language / "LC_MESSAGES" / "django.mo"
        if mo.exists():
            with mo.open("rb") as fh:
                messages = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
            catalogs[str(path.relative_to(base))] = {k: v for k, v in messages.items() if k}
    return catalogs


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_no_message_is_translated_differently_in_two_catalogs(language):
    catalogs = compiled_catalogs(language)
    assert {"locale", "hazards/locale", "petitions/locale"} <= catalogs.keys()
    seen: dict[object, dict[str, str]] = {}
    for name, messages in catalogs.items():
        for key, text in messages.items():
            seen.setdefault(key, {})[name] = text
    clashes = {
        (key.split("\x04")[0] if "\x04" in key else None, key.split("\x04")[-1])
        if isinstance(key, str)
        else key: texts
        for key, texts in seen.items()
        if len(set(texts.values())) > 1
    }
    assert not clashes, f"{len(clashes)} messages translated differently: {clashes}"


@pytest.mark.parametrize(
    ("context", "message", "generic", "specific"),
    [
        ("ticket", "Close", "关闭", "办结"),
        ("vehicle kind", "Car", "车巡", "小型汽车"),
        ("key vehicle", "Clear", "晴", "清零"),
        ("liability", "Minor", "一般", "次要责任"),
        ("station", "Closed", "已办结", "已停用"),
    ],
)
def test_a_message_with_two_meanings_shows_each_where_it_belongs(
    context, message, generic, specific
):
    with translation.override("zh-hans"):
        assert translation.gettext(message) == generic
        assert translation.pgettext(context, message) == specific
