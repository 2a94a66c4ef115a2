"""The tables of the project's own app (label ``brigade``): the core's (the KPI engine,
the calendar, idempotency keys, the notices) and the duty domain's (units, officers, posts,
shifts, patrols, training). Django imports this module to register them; code imports them
from ``brigade.core.models``, ``brigade.core.notices.models`` and ``brigade.duty.models``.
"""

from brigade.core.models import *  # noqa: F403
from brigade.core.notices.models import *  # noqa: F403
from brigade.duty.models import *  # noqa: F403
