"""Registration hook for what other apps show on core's pages (home, dashboard).

`core` sits left of every domain app and imports none of them: an app adds its
figures from its AppConfig.ready() with `register("dashboard", provider)`,
where `provider(request)` returns template context.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Provider = Callable[[HttpRequest], dict[str, Any]]
_providers: dict[str, list[Provider]] = defaultdict(list)


def register(page: str, provider: Provider) -> Provider:
    if provider not in _providers[page]:
        _providers[page].append(provider)
    return provider


def context_for(page: str, request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _providers[page]:
        context.update(provider(request))
    return context
