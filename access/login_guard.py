"""Brute-force protection for staff sign-in (SEC-02): a lock per account name, a throttle per address.

- After LOGIN_FAILURE_LIMIT failed attempts under one username, each within LOGIN_LOCKOUT_MINUTES
  of the previous one, the name is locked for LOGIN_LOCKOUT_MINUTES: even the right password is
  refused until then, or until an administrator unlocks it (staff page or `manage.py unlock_account`).
- An address with LOGIN_IP_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES is refused too, for any
  name (counters in the cache: set CACHE_URL to Redis so every web process shares them).

`LockoutModelBackend` applies both to every password sign-in: the login page, the admin's, and the
test client's `login()`. Failures, locks and unlocks are audit events; they never hold the typed name.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from core.actors import Actor
from core.audit import audit_event_record
from core.client import client_address

from .models import LoginGuard

FORGET_UNLOCKED_AFTER = timedelta(days=1)


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _address_key(address: str) -> str:
    return f"login-failures:{address}"


def account_locked_until(username: str) -> Any:
    """When the lock on `username` ends, or None when it is not locked."""
    return (
        LoginGuard.objects.filter(username=username, locked_until__gt=timezone.now())
        .values_list("locked_until", flat=True)
        .first()
    )


def address_blocked(address: str) -> bool:
    return bool(address) and cache.get(_address_key(address), 0) >= settings.LOGIN_IP_FAILURE_LIMIT


def _account(username: str) -> Any:
    return get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()


@transaction.atomic
def login_failure_record(*, username: str, address: str) -> LoginGuard:
    """Count one failed attempt under `username` and from `address`; lock the name at the limit."""
    now = timezone.now()
    if address:
        cache.add(_address_key(address), 0, timeout=int(_window().total_seconds()))
        try:
            cache.incr(_address_key(address))
        except ValueError:  # expired between add and incr
            cache.set(_address_key(address), 1, timeout=int(_window().total_seconds()))
    LoginGuard.objects.filter(last_failure_at__lt=now - FORGET_UNLOCKED_AFTER, locked_until__isnull=True).delete()
    LoginGuard.objects.get_or_create(username=username[:150])
    guard = LoginGuard.objects.select_for_update().get(username=username[:150])
    if guard.last_failure_at is None or now - guard.last_failure_at > _window():
        guard.failures = 0
    guard.failures += 1
    guard.last_failure_at = now
    account = _account(username)
    audit_event_record(action="auth.login_failed", obj=account, data={"failures": guard.failures})
    if guard.failures >= settings.LOGIN_FAILURE_LIMIT and not (guard.locked_until and guard.locked_until > now):
        guard.locked_until = now + _window()
        audit_event_record(
            action="auth.account_locked",
            obj=account,
            data={"failures": guard.failures, "minutes": settings.LOGIN_LOCKOUT_MINUTES},
        )
    guard.save()
    return guard


@transaction.atomic
def account_unlock(*, guard: LoginGuard) -> None:
    """Lift the lock and forget the failures of one username (an administrator's decision, audited)."""
    audit_event_record(action="auth.account_unlocked", obj=_account(guard.username), data={"failures": guard.failures})
    LoginGuard.objects.filter(pk=guard.pk).delete()


def locked_guards() -> Any:
    return LoginGuard.objects.filter(locked_until__gt=timezone.now()).order_by("locked_until")


class LockoutModelBackend(ModelBackend):
    """Django's username and password check, refused while the name or the address is locked.

    Raising PermissionDenied stops `authenticate()` at once: no other backend is tried.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request)
        if account_locked_until(username) or address_blocked(address):
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, address=address)
        return user


@receiver(user_logged_in)
def _login_recorded(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A sign-in (SEC-04) is an audit event, and ends the count of failures under its name."""
    unlocked = Q(locked_until__isnull=True) | Q(locked_until__lte=timezone.now())
    LoginGuard.objects.filter(unlocked, username=user.get_username()).delete()
    audit_event_record(action="auth.login", obj=user, actor=Actor.for_user(user))
