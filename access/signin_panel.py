"""Failed sign-ins and locked names on the dashboard and in the alerts (SEC-05), from access.login_guard's evidence.

Failures are counted from their audit events (`auth.login_failed`, `auth.account_locked`) by the figures job;
names locked now are read live from the few LoginGuard rows. Neither the panel nor an alert shows a typed
name: a mistyped username can be anything, a person's address included.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core import figures
from core.alerts import AMBER, RED, Alert
from core.models import AuditEvent
from core.panels import Panel

from .login_guard import locked_guards

FIGURE = "core.sign_in"


def sign_in_figures() -> dict[str, Any]:
    """Failed sign-ins and locks over the last 24 hours and the last 30 days."""
    now = timezone.now()
    counts: dict[str, Any] = {}
    for label, since in (("24h", now - timedelta(days=1)), ("30d", now - timedelta(days=30))):
        events = AuditEvent.objects.filter(occurred_at__gte=since)
        counts[f"failed_{label}"] = events.filter(action="auth.login_failed").count()
        counts[f"locked_{label}"] = events.filter(action="auth.account_locked").count()
    return counts


def locked_now() -> int:
    return figures.shared("core.locked_now", lambda: locked_guards().count())


def register_figures() -> None:
    figures.register(FIGURE, sign_in_figures)


def sign_in_panel(request: HttpRequest) -> Panel | None:
    if not request.user.has_perm("access.access_dashboard"):
        return None
    readings = figures.figures_read([FIGURE])
    value = readings[FIGURE].value
    locked = locked_now()
    return Panel(
        key="sign-in",
        title=_("Sign-in security"),
        template="access/panels/sign_in.html",
        figures={**value, "locked_now": locked, "threshold": settings.ALERT_LOGIN_FAILURES},
        computed_at=figures.oldest(readings.values()),
        url=reverse("security:locks") if request.user.has_perm("access.view_loginguard") else "",
        order=75,
        alert=bool(locked or value["failed_24h"] >= settings.ALERT_LOGIN_FAILURES),
    )


def sign_in_alerts() -> list[Alert]:
    """Names locked now (red) and more failed sign-ins in 24 hours than ALERT_LOGIN_FAILURES (amber)."""
    found = []
    url = reverse("security:locks")
    locked = locked_now()
    if locked:
        title = ngettext(
            "%(count)d sign-in name locked after repeated failures",
            "%(count)d sign-in names locked after repeated failures",
            locked,
        ) % {"count": locked}
        found.append(Alert("login", RED, title, "", url))
    failed = (figures.figure_value(FIGURE) or {}).get("failed_24h", 0)
    if failed >= settings.ALERT_LOGIN_FAILURES:
        title = gettext("%(count)d failed sign-ins in the last 24 hours") % {"count": failed}
        detail = gettext("Alert threshold: %(threshold)d.") % {"threshold": settings.ALERT_LOGIN_FAILURES}
        found.append(Alert("login", AMBER, title, detail, f"{reverse('audit:explorer')}?action=auth.login_failed"))
    return found
