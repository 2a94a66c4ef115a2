"""The admin's view of the notices: what was sent to whom, and each sending on each channel
(read-only logs: nobody edits what was sent), and each person's choices and mutes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from brigade.core.notices.models import Delivery, Notice, NoticeMute, NoticePreference


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: listed and read, never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "action", "title", "due", "level", "read_at")
    list_filter = ("kind", "action", "level", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "key", "user__username")
    date_hierarchy = "created_at"
    list_select_related = ("user",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "channel",
        "target",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "notice",
    )
    list_filter = ("channel", "status")
    search_fields = ("target", "key", "subject", "last_error")
    date_hierarchy = "created_at"
    list_select_related = ("notice",)
    raw_id_fields = ("notice",)


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "by_email", "by_webhook", "reminders", "digest")
    list_filter = ("by_email", "by_webhook", "reminders", "digest")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(NoticeMute)
class NoticeMuteAdmin(admin.ModelAdmin):
    list_display = ("user", "action", "item_type", "item_id", "created_at")
    list_filter = ("action", "item_type")
    search_fields = ("user__username",)
    list_select_related = ("user", "item_type")
    raw_id_fields = ("user",)
