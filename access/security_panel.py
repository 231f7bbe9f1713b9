"""The dashboard's security panel: failed sign-ins, locked accounts, API keys near expiry, restore tests (SEC-06)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from core.backups import last_restore
from core.models import AuditEvent

from .login_guard import locked_guards
from .models import ApiKey

KEY_EXPIRY_WARNING_DAYS = 14


def security_figures(now: Any = None) -> dict[str, Any]:
    now = now or timezone.now()
    restore = last_restore()
    expiring = ApiKey.objects.filter(
        revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=now + timedelta(days=KEY_EXPIRY_WARNING_DAYS)
    ).order_by("expires_at")
    return {
        "failed_logins_24h": AuditEvent.objects.filter(
            action="auth.login_failed", occurred_at__gte=now - timedelta(hours=24)
        ).count(),
        "lockouts_24h": AuditEvent.objects.filter(
            action="auth.account_locked", occurred_at__gte=now - timedelta(hours=24)
        ).count(),
        "locked_accounts": locked_guards().count(),
        "keys_expiring": list(expiring.only("name", "prefix", "expires_at")[:10]),
        "last_restore": restore,
        "restore_overdue": restore is None
        or restore.started_at < now - timedelta(days=settings.RESTORE_TEST_MAX_AGE_DAYS),
        "restore_max_age_days": settings.RESTORE_TEST_MAX_AGE_DAYS,
    }


def security_panel(request: HttpRequest) -> dict[str, Any]:
    return {"security": security_figures()}
