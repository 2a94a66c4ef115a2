"""A record's version as a client names it: the ``ETag`` the API sends with a record and
the ``version`` a page's form carries; and the check that a write names the version it
was decided on (an approval approves what the approver read, nothing written since).

The tag comes from the primary key and ``updated_at`` (in whole microseconds): weak,
because it names a version of the record, not the bytes of one representation.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext as _

from brigade.core.errors import StaleVersion, VersionRequired

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def version_of(obj: models.Model) -> str:
    """The record's version tag: ``W/"<pk>-<updated_at in microseconds>"``."""
    updated_at = obj.updated_at  # type: ignore[attr-defined]
    micros = (updated_at - _EPOCH) // dt.timedelta(microseconds=1)
    return f'W/"{obj.pk}-{micros}"'


def opaque(tag: str) -> str:
    """A tag without its weak marker, for comparing."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def names(tags: str, obj: models.Model) -> bool:
    """Does the comma-separated list ``tags`` name the record's current version?"""
    current = opaque(version_of(obj))
    return any(opaque(t) == current for t in tags.split(",") if t.strip())


def require_version(obj: models.Model, version: str | None) -> None:
    """A write that must name the version it was decided on: none (or ``*``, which names
    none) → ``VersionRequired``; another than the record's now → ``StaleVersion``."""
    version = (version or "").strip()
    if not version or version == "*":
        raise VersionRequired(
            _(
                "Say which version you approve: send the ETag you read as If-Match "
                "(or as the version field)."
            )
        )
    if not names(version, obj):
        raise StaleVersion(
            _(
                "This record has changed since you read it: read it again and decide on "
                "what it says now."
            )
        )
