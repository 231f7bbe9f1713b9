"""The staff navigation: each area with the permission that opens it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    key: str
    label: str | Promise
    url_name: str
    permission: str


AREAS = [
    Area("contacts", _("Contacts"), "crm:contact_list", "core.access_contacts"),
    Area("consents", _("Consents"), "consent:index", "core.access_consents"),
    Area("requests", _("Requests"), "dsar:index", "core.access_requests"),
    Area("registry", _("Registry"), "registry:index", "core.access_registry"),
    Area("retention", _("Retention"), "retention:index", "core.access_retention"),
    Area("dashboard", _("Dashboard"), "dashboard", "core.access_dashboard"),
    Area("outbox", _("Outbox"), "core:outbox_list", "core.access_outbox"),
]


def areas_for(user: Any) -> list[Area]:
    if not user.is_authenticated:
        return []
    return [area for area in AREAS if user.has_perm(area.permission)]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_areas": []}
    return {"nav_areas": areas_for(user)}
