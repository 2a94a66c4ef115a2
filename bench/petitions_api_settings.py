"""Settings of the ticket list benchmark's servers: the project's, with the benchmark's
URLconf (the project's URLs plus the hand-written twin of the ticket list). Never used
outside bench/."""

from brigade.settings import *  # noqa: F403

ROOT_URLCONF = "petitions_api_urls"
