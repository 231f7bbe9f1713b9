"""What the dsar app shows on core's pages: the dashboard's requests panel (DSR-14)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import queue_figures


def dashboard_panel(request: HttpRequest) -> dict[str, Any]:
    if not request.user.has_perm("dsar.view_request"):
        return {}
    return {"dsar_queue": queue_figures()}
