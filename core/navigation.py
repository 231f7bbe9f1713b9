"""The staff navigation: each area with the permission that opens it.

`AREAS` is the catalogue of areas a role may be given (the roles table and the
access review read it). An area shows in the menu and on the home page only once
its app has pages: the app calls `register("<key>")` from its AppConfig.ready().
An app that has not registered its area shows nothing, never a placeholder.
"""

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
    Area("contacts", _("Contacts"), "crm:contact_list", "access.access_contacts"),
    Area("consents", _("Consents"), "consent:index", "access.access_consents"),
    Area("requests", _("Requests"), "dsar:index", "access.access_requests"),
    Area("registry", _("Registry"), "registry:index", "access.access_registry"),
    Area("retention", _("Retention"), "retention:index", "access.access_retention"),
    Area("dashboard", _("Dashboard"), "dashboard", "access.access_dashboard"),
    Area("outbox", _("Outbox"), "core:outbox_list", "access.access_outbox"),
]
_registered: set[str] = set()


def register(key: str) -> None:
    """Open the area `key` in the navigation; its app calls this once its pages exist."""
    if key not in {area.key for area in AREAS}:
        raise ValueError(f"unknown area {key!r}: add it to core.navigation.AREAS")
    _registered.add(key)


def open_areas() -> list[Area]:
    """The areas whose apps registered them, in menu order."""
    return [area for area in AREAS if area.key in _registered]


def areas_for(user: Any) -> list[Area]:
    if not user.is_authenticated:
        return []
    return [area for area in open_areas() if user.has_perm(area.permission)]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_areas": []}
    return {"nav_areas": areas_for(user)}
