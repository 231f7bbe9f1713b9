from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from . import panels
from .decorators import staff_permission_required
from .models import OutboxMessage, OutboxStatus, WorkerHeartbeat
from .navigation import areas_for

# What each area is for, shown on the home page cards.
AREA_HINTS: dict[str, str | Promise] = {
    "contacts": _(
        "People the organisation holds data about: identity, contact points, notes and the history of every change."
    ),
    "consents": _("Purposes, consent wording and each person's consent events; check before contacting anyone."),
    "requests": _("Access, rectification, erasure and other requests from data subjects, with their deadlines."),
    "registry": _("The record of processing activities (Art. 30), reviewed by the DPO, and the breach register."),
    "retention": _("How long each kind of data is kept, legal holds, and the purge runs that apply them."),
    "dashboard": _("Compliance at a glance: activity, deadlines and what needs attention."),
    "outbox": _("Every message sent to a person, kept as proof of what they were told and when."),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    cards = [(area, AREA_HINTS.get(area.key, "")) for area in areas_for(request.user)]
    return render(request, "core/home.html", {"cards": cards, **panels.context_for("home", request)})


@staff_permission_required("core.access_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    outbox = dict(OutboxMessage.objects.order_by().values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "core/dashboard.html",
        {
            "outbox_queued": outbox.get(OutboxStatus.QUEUED, 0),
            "outbox_failed": outbox.get(OutboxStatus.FAILED, 0),
            **panels.context_for("dashboard", request),
        },
    )


@staff_permission_required("core.access_outbox", "core.view_outboxmessage")
def outbox_list(request: HttpRequest) -> HttpResponse:
    messages = OutboxMessage.objects.only("id", "template", "status", "created_at", "sent_at", "language")
    page = Paginator(messages, 50).get_page(request.GET.get("page"))
    return render(request, "core/outboxmessage_list.html", {"page": page})


@staff_permission_required("core.access_outbox", "core.view_outboxmessage")
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "core/outboxmessage_detail.html", {"message": message})


def _check_database() -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - health reports, never raises
        return {"status": "error", "error": exc.__class__.__name__}


def _check_broker() -> dict[str, str]:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": exc.__class__.__name__}


def _check_worker() -> dict[str, object]:
    try:
        beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": exc.__class__.__name__}
    if beat is None:
        return {"status": "missing"}
    age = (timezone.now() - beat.seen_at).total_seconds()
    fresh = age <= max(3 * settings.WORKER_HEARTBEAT_SECONDS, 90)
    return {"status": "ok" if fresh else "stale", "last_seen_seconds": round(age), "worker": beat.worker}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and worker heartbeat. 503 when the database or broker is down."""
    checks = {"database": _check_database(), "broker": _check_broker(), "worker": _check_worker()}
    critical_ok = checks["database"]["status"] == "ok" and checks["broker"]["status"] == "ok"
    overall = "ok" if critical_ok and checks["worker"]["status"] == "ok" else ("degraded" if critical_ok else "error")
    return JsonResponse(
        {"status": overall, "checks": checks, "time": timezone.now().isoformat()}, status=200 if critical_ok else 503
    )
