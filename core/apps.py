from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting plumbing every app relies on: actors, audit events, history
    attribution, field encryption, the outbox and health. It imports no other
    app of the project (access control lives in `access`), so it sits leftmost
    in the dependency order."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import (  # noqa: F401  (registers handlers and the __any_of lookup)
            alerts,
            checks,
            figures,
            language,
            lookups,
            navigation,
            panels,
            signals,
        )
        from .views import outbox_figures, outbox_panel

        figures.register("core.outbox", outbox_figures)
        panels.register_panel("dashboard", outbox_panel)
        navigation.register("dashboard")
        navigation.register("outbox")
