"""The admin screens of the project's app: the core's (users and their API tokens,
``brigade.core.admin``) and the duty domain's (``brigade.duty.admin``)."""

from brigade.core import admin as core_admin  # noqa: F401  (users and their API tokens)
from brigade.duty import admin as duty_admin  # noqa: F401  (registers the duty models)
