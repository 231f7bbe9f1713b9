"""Per-key request throttling for the REST API (rate from settings.API_KEY_THROTTLE_RATE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Counts the requests of each API key, whatever address they come from; other callers pass."""

    scope = "api_key"

    def get_rate(self) -> str | None:
        # Read on each request (not frozen at import) so that settings overrides apply.
        return settings.API_KEY_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
