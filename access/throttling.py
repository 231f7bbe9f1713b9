"""Request throttling for the REST API: per API key (settings.API_KEY_THROTTLE_RATE) and per address for
callers without valid credentials (the `anon` rate, API_THROTTLE_ANON).

Both read their rate on each request (not frozen at import), so that settings overrides apply. They run
before authentication errors and permission checks (core.api.ThrottleFirstMixin), so a caller sending no
key, or guessing keys, is throttled too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from .models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Counts the requests of each API key, whatever address they come from; other callers pass."""

    scope = "api_key"

    def get_rate(self) -> str | None:
        return settings.API_KEY_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(AnonRateThrottle):
    """Counts the requests of callers without valid credentials by address; authenticated callers pass."""

    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]
