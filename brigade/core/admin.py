"""The admin's view of API tokens: a user's tokens on that user's page, every token in one
list (filtered by user), and revoking any of them by deleting it.

Tokens are issued by signing in to the API only: the admin neither creates nor edits one
(knox's own admin screen, which does, is replaced).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken


def _active(token: AuthToken) -> bool:
    return token.expiry is None or token.expiry > timezone.now()


class TokenColumns:
    """What the list and the inline show of a token (never the token, only its first
    characters, which the client can match against the one it holds)."""

    @admin.display(description=_("Starts with"))
    def starts_with(self, token: AuthToken) -> str:
        return f"{token.token_key[:8]}…"

    @admin.display(description=_("Issued"), ordering="created")
    def issued(self, token: AuthToken) -> Any:
        return token.created

    @admin.display(description=_("Expires if unused until"), ordering="expiry")
    def expires(self, token: AuthToken) -> Any:
        return token.expiry

    @admin.display(description=_("Active"), boolean=True)
    def active(self, token: AuthToken) -> bool:
        return _active(token)


class ApiTokenInline(TokenColumns, admin.TabularInline):
    model = AuthToken
    verbose_name = _("API token")
    verbose_name_plural = _("API tokens (tick Delete and save to revoke)")
    fields = ("starts_with", "issued", "expires", "active")
    readonly_fields = fields
    extra = 0
    can_delete = True
    ordering = ["-created"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApiTokenAdmin(TokenColumns, admin.ModelAdmin):
    list_display = ["user", "starts_with", "issued", "expires", "active"]
    list_filter = [("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    ordering = ["-created"]
    fields = ("user", "starts_with", "issued", "expires", "active")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserWithTokensAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, ApiTokenInline]


User = get_user_model()
for _model in (AuthToken, User):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
admin.site.register(AuthToken, ApiTokenAdmin)
admin.site.register(User, UserWithTokensAdmin)
