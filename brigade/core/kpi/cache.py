"""The cache the KPI reads share with the engine: a version every recompute moves on, and
calls that survive a cache outage."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_VERSION = "kpi:version"


def cache_call(default: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """A cache call that survives a cache outage (Redis down): ``default`` instead."""
    from django.core.cache import cache

    try:
        return getattr(cache, name)(*args, **kwargs)
    except Exception:  # redis-py raises its own ConnectionError/TimeoutError
        logger.warning("cache unavailable for %s", name, exc_info=True)
        return default


def bump_version() -> None:
    """Every read payload is cached under the current version; a recompute moves it on."""
    if cache_call(None, "add", _VERSION, 1, timeout=None) is False:
        cache_call(None, "incr", _VERSION)


def version() -> int:
    return int(cache_call(0, "get", _VERSION) or 0)
