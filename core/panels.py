"""Registration hook for what other apps show on core's pages and on the contact page.

`core` sits left of every domain app and imports none of them. An app adds to a
page from its AppConfig.ready():

- `register(page, provider)`: `provider(request)` returns template context
  (figures the page's own template already knows how to show);
- `register_template(page, template_name)`: a panel of its own, included by the
  page in registration order with the page's context. A page shows only the
  panels that were registered: nothing stands in for an app that has none.

Pages: "home", "dashboard" (context and panels), "contact" (panels, rendered
with `contact` in the context).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Provider = Callable[[HttpRequest], dict[str, Any]]
_providers: dict[str, list[Provider]] = defaultdict(list)
_templates: dict[str, list[str]] = defaultdict(list)


def register(page: str, provider: Provider) -> Provider:
    if provider not in _providers[page]:
        _providers[page].append(provider)
    return provider


def register_template(page: str, template_name: str) -> None:
    if template_name not in _templates[page]:
        _templates[page].append(template_name)


def templates_for(page: str) -> list[str]:
    return list(_templates[page])


def context_for(page: str, request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"panel_templates": templates_for(page)}
    for provider in _providers[page]:
        context.update(provider(request))
    return context
