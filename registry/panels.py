"""What the registry adds to core's pages (dashboard) and to crm's export form (its purposes), through hooks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .coverage import coverage_gaps
from .models import ProcessingActivity
from .selectors import activities_due_for_review, breaches_awaiting_notification


def dashboard_panel(request: HttpRequest) -> dict[str, Any]:
    if not request.user.has_perm("registry.view_processingactivity"):
        return {}
    return {
        "registry_gaps": coverage_gaps(),
        "registry_due_for_review": activities_due_for_review().count(),
        "breaches_awaiting": breaches_awaiting_notification().count(),
    }


def export_purposes() -> list[tuple[str, str]]:
    """Approved activities as export purposes (REG-09): the value is the reference, the label names it."""
    return [
        (activity.reference, str(activity)) for activity in ProcessingActivity.objects.approved().order_by("reference")
    ]
