"""Imported by the test workers (``celery worker --include``): the digest tests' source of
due items, registered in the worker processes as the test's fixture does in its own, and
the test's queue as the one the worker sends to (the deliveries the digest enqueues)."""

import os

from brigade.celery import app
from brigade.core.notices.registry import notice_sources
from tests.brigade.notice_fixtures import TO_SIGN

notice_sources._sources.clear()  # the test's items only, as in the test's process
notice_sources.register(TO_SIGN)
app.conf.task_default_queue = os.environ["BRIGADE_TEST_QUEUE"]
