"""Scope checks for requests authenticated by an API key.

A view opens itself to keys by declaring the scopes each kind of request needs:

    required_scopes = {"read": ["contacts:read"], "write": ["contacts:write"]}

"read" covers the safe methods (GET, HEAD, OPTIONS), "write" every other one.
A key-authenticated request to a view that declares nothing is refused: keys
reach only what was opened to them. Session-authenticated staff are not
concerned here; their model permissions decide, as before.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from .models import ApiKey


def required_scopes_for(view: Any, method: str) -> list[str] | None:
    """The scopes `view` requires for `method`, or None when it is not open to API keys."""
    declared = getattr(view, "required_scopes", None)
    if declared is None:
        return None
    kind = "read" if method in SAFE_METHODS else "write"
    scopes = declared.get(kind)
    return list(scopes) if scopes is not None else None


class HasScope(BasePermission):
    message = _("This API key does not carry the scope this request needs.")

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        needed = required_scopes_for(view, request.method or "GET")
        if needed is None:
            self.message = gettext("This endpoint is not open to API keys.")
            return False
        if not key.has_scopes(needed):
            self.message = gettext("This API key needs the scope(s): %(scopes)s.") % {"scopes": ", ".join(needed)}
            return False
        return True
