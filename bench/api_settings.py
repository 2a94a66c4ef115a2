"""Settings of the API benchmark's servers: the project's, with the benchmark's URLconf
(the project's URLs plus a bare view to compare with). Never used outside bench/."""

import os

from brigade.settings import *  # noqa: F403

ROOT_URLCONF = "api_urls"

if os.environ.get("BENCH_DUMMY_CACHE"):
    # every request computes its payload: the worst case, for information
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
