"""Admin of the petitions app: categories and their deadline rules (an administrator's
job), and every other model with its history (simple-history). A citizen's phone number
is not on the admin's screens: it is shown whole only through the logged "show" of the
ticket's page (``brigade.core.privacy``)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from petitions import models


@admin.register(models.TicketCategory)
class TicketCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "sign_days", "reply_days", "close_days", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en")


class ReplyInline(admin.TabularInline):
    model = models.TicketReply
    extra = 0
    fields = ("round", "text", "replied_at", "replied_by")


class CallbackInline(admin.TabularInline):
    model = models.TicketCallback
    extra = 0
    fields = ("round", "result", "at", "by", "notes")


class ExtensionInline(admin.TabularInline):
    model = models.TicketExtension
    extra = 0
    fields = ("new_due", "old_due", "reason", "status", "decided_by", "decided_at")
    # decided only by the services (four eyes): shown, never edited here
    readonly_fields = ("status", "decided_by", "decided_at")


@admin.register(models.Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = ("number", "category", "unit", "status", "round", "received_at", "next_due")
    list_filter = ("status", "channel", "category", "unit")
    search_fields = ("number", "content", "location")
    date_hierarchy = "received_at"
    raw_id_fields = ("handler", "signed_by", "closed_by", "created_by")
    inlines = [ReplyInline, CallbackInline, ExtensionInline]
    exclude = ("citizen_phone",)


@admin.register(models.TicketExtension)
class TicketExtensionAdmin(SimpleHistoryAdmin):
    list_display = ("ticket", "new_due", "status", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("ticket",)
    # decided only by the services (four eyes): shown, never edited here
    readonly_fields = (
        "status",
        "requested_by",
        "decided_by",
        "decided_at",
        "decided_by_second_approver",
    )


@admin.register(models.Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ("at", "topic", "channel", "unit", "answered_by")
    list_filter = ("channel", "unit")
    search_fields = ("topic", "answer")
    date_hierarchy = "at"


@admin.register(models.Proposal)
class ProposalAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "proposer", "grade", "received_on", "reply_mode", "replied_at")
    list_filter = ("kind", "grade", "reply_mode", "unit")
    search_fields = ("title", "proposer")
