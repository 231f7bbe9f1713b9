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

Dashboard panels (the contract for every app that adds one):

    def breaches_panel(request) -> Panel | None:
        if not request.user.has_perm("registry.view_breach"):
            return None                       # nothing shows: no placeholder, no "missing"
        readings = figures.figures_read(["registry.breaches_open"])
        return Panel(
            key="breaches",                   # the panel's id in the page (id="panel-breaches")
            title=_("Breaches"),
            template="registry/panels/breaches.html",
            figures={"open": readings["registry.breaches_open"].value},
            computed_at=figures.oldest(readings.values()),  # shown as "as of …"
            url=reverse("registry:breach_list"),            # the list behind the panel
            order=20,
        )

    panels.register_panel("dashboard", breaches_panel)      # from AppConfig.ready()

The template receives `panel` (figures under `panel.figures`) and the page's
context; it renders the body of a card (the page draws the card, its title, the
link and the freshness). A chart is `chart_data(kind, labels, [(label, values),
…])` among the figures, included with `{% include "partials/chart_table.html"
with chart=panel.figures.chart chart_id="<id>" chart_label=… %}`: a canvas that
static/js/charts.js draws, beside a table of the same numbers. Alerts go to
core.alerts, not to panels. Read figures (core.figures), never count
over contacts in a provider: the dashboard answers in well under 150 ms at a
million contacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import HttpRequest

Provider = Callable[[HttpRequest], dict[str, Any]]
_providers: dict[str, list[Provider]] = defaultdict(list)
_templates: dict[str, list[str]] = defaultdict(list)


@dataclass
class Panel:
    key: str
    title: Any
    template: str
    figures: dict[str, Any] = field(default_factory=dict)
    computed_at: datetime | None = None
    url: str = ""
    order: int = 100
    alert: bool = False  # drawn highlighted: something needs attention


def chart_data(kind: str, labels: list[str], datasets: list[tuple[Any, list[Any]]]) -> dict[str, Any]:
    """What static/js/charts.js draws and partials/chart_table.html tabulates: datasets are (label, values)."""
    sets = [{"label": label, "values": list(values)} for label, values in datasets]
    rows = [[label, *(values[index] for _label, values in datasets)] for index, label in enumerate(labels)]
    return {"type": kind, "labels": labels, "datasets": sets, "rows": rows}


PanelProvider = Callable[[HttpRequest], "Panel | None"]
_panel_providers: dict[str, list[PanelProvider]] = defaultdict(list)


def register_panel(page: str, provider: PanelProvider) -> PanelProvider:
    if provider not in _panel_providers[page]:
        _panel_providers[page].append(provider)
    return provider


def panels_for(page: str, request: HttpRequest) -> list[Panel]:
    """The panels the providers return for this request (None: not for this user), in `order`."""
    found = [panel for provider in _panel_providers[page] if (panel := provider(request)) is not None]
    return sorted(found, key=lambda panel: (panel.order, panel.key))


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
