from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from . import figures, panels
from .alerts import alerts_current
from .decorators import staff_permission_required
from .health import health_report
from .models import OutboxMessage, OutboxStatus
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


@staff_permission_required("access.access_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every app's panels (core.panels, reading core.figures) and the current alerts (core.alerts)."""
    with figures.snapshot():
        context = {
            "panels": panels.panels_for("dashboard", request),
            "alerts": alerts_current(),
            **panels.context_for("dashboard", request),
        }
    return render(request, "core/dashboard.html", context)


def outbox_figures() -> dict[str, int]:
    return dict(OutboxMessage.objects.order_by().values_list("status").annotate(n=Count("id")))


def outbox_panel(request: HttpRequest) -> panels.Panel | None:
    if not request.user.has_perm("access.access_outbox"):
        return None
    readings = figures.figures_read(["core.outbox"])
    counts = readings["core.outbox"].value
    return panels.Panel(
        key="outbox",
        title=_("Outbox"),
        template="core/panels/outbox.html",
        figures={"queued": counts.get(OutboxStatus.QUEUED, 0), "failed": counts.get(OutboxStatus.FAILED, 0)},
        computed_at=figures.oldest(readings.values()),
        url=reverse("core:outbox_list"),
        order=80,
        alert=bool(counts.get(OutboxStatus.FAILED, 0)),
    )


@staff_permission_required("access.access_outbox", "core.view_outboxmessage")
def outbox_list(request: HttpRequest) -> HttpResponse:
    messages = OutboxMessage.objects.only("id", "template", "status", "created_at", "sent_at", "language")
    page = Paginator(messages, 50).get_page(request.GET.get("page"))
    return render(request, "core/outboxmessage_list.html", {"page": page})


@staff_permission_required("access.access_outbox", "core.view_outboxmessage")
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "core/outboxmessage_detail.html", {"message": message})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and worker heartbeat (core.health). 503 when the database or broker is down."""
    report, critical_ok = health_report()
    return JsonResponse(report, status=200 if critical_ok else 503)
