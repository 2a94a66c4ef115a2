"""The admin screens of the project's app: the duty domain's (``brigade.duty.admin``)."""

from brigade.duty import admin as duty_admin  # noqa: F401  (registers the duty models)
