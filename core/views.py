from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import OutboxMessage, WorkerHeartbeat
from .navigation import areas_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from crm.selectors import contact_count

    return render(request, "core/home.html", {"areas": areas_for(request.user), "contact_count": contact_count()})


@permission_required("core.access_dashboard", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html")


@permission_required(["core.access_outbox", "core.view_outboxmessage"], raise_exception=True)
def outbox_list(request: HttpRequest) -> HttpResponse:
    messages = OutboxMessage.objects.only("id", "template", "status", "created_at", "sent_at", "language")
    page = Paginator(messages, 50).get_page(request.GET.get("page"))
    return render(request, "core/outboxmessage_list.html", {"page": page})


@permission_required(["core.access_outbox", "core.view_outboxmessage"], raise_exception=True)
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
