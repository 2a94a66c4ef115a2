"""API tokens (django-rest-knox's ``AuthToken``): issued one per sign-in, expiring after
``API_TOKEN_IDLE_HOURS`` without use, and revoked all at once when their user's password
changes or the user is deactivated.

Authentication reads the token sent and nothing else (one query): knox's own class also
reads all the other tokens of the user on every request to delete the expired ones, which
is done here once per sign-in instead.

The revocation hangs on the user model's own save, so every way of changing a password
(the password change page, the admin, ``manage.py changepassword``, a service calling
``set_password``) and of deactivating a user revokes, without each path having to remember.
A password hash upgraded on sign-in (Django rehashes with the current hasher, the password
itself unchanged) revokes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import is_password_usable
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.models import AuthToken, get_token_model

from brigade.core.typing import User


class TokenAuthentication(knox_auth.TokenAuthentication):
    """``Authorization: Token <token>``: knox's check of the token sent (hash, expiry,
    active user, expiry moved forward on use), without a read of the user's other tokens."""

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of that authentication (knox's, under the name the
    schema has always used)."""

    target_class = "brigade.core.tokens.TokenAuthentication"
    name = "tokenAuth"


def issue_token(user: User) -> str:
    """A new token of ``user``: the text the client sends (only its hash is kept). The
    tokens that have expired meanwhile, anyone's, are deleted."""
    get_token_model().objects.filter(expiry__lt=timezone.now()).delete()
    _instance, text = AuthToken.objects.create(user=user)
    return text


def revoke_all(user: User) -> int:
    """Revoke every token of ``user``; the number revoked."""
    deleted, _by_model = get_token_model().objects.filter(user=user).delete()
    return deleted


def _revokes(user: Any, update_fields: frozenset[str] | None) -> bool:
    """Whether saving ``user`` (still unsaved) changes its password or deactivates it."""
    if user.pk is None:
        return False
    if getattr(user, "_password", None) is not None:
        return True  # set_password() was called: a new password
    watched = {"password", "is_active"}
    if update_fields is not None and not watched & set(update_fields):
        return False
    if user.is_active and is_password_usable(user.password):
        return False  # nothing that revokes can have happened: no query
    stored = type(user)._default_manager.filter(pk=user.pk).values("password", "is_active").first()
    if stored is None:
        return False
    deactivated = stored["is_active"] and not user.is_active
    password_disabled = stored["password"] != user.password and not is_password_usable(
        user.password
    )
    return deactivated or password_disabled


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_revocation(sender: type, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    instance._revoke_tokens = _revokes(instance, update_fields)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _revoke_on_save(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    if getattr(instance, "_revoke_tokens", False):
        instance._revoke_tokens = False
        revoke_all(instance)
