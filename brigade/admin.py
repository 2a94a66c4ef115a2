"""The admin screens of the project's app: the core's (users and their API tokens,
``brigade.core.admin``), the duty domain's (``brigade.duty.admin``), the notices and their
deliveries (``brigade.core.notices.admin``) and the core's log of phone numbers seen whole,
which is read-only: nobody edits or deletes an audit row."""

from django.contrib import admin
from django.http import HttpRequest

from brigade.core import admin as core_admin  # noqa: F401  (users and their API tokens)
from brigade.core.models import RevealLog
from brigade.core.notices import admin as notices_admin  # noqa: F401  (notices, deliveries)
from brigade.duty import admin as duty_admin  # noqa: F401  (registers the duty models)


@admin.register(RevealLog)
class RevealLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "way", "record_type", "record", "ip")
    list_filter = ("way", "record_type")
    search_fields = ("record", "user__username")
    date_hierarchy = "at"
    list_select_related = ("user", "record_type")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RevealLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RevealLog | None = None) -> bool:
        return False
