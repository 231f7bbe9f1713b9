from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting plumbing every app relies on: actors, audit events, history
    attribution, field encryption, the outbox, roles and health. It imports no
    domain app, so it sits to the left of `crm` in the dependency order."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import (  # noqa: F401  (registers handlers, the API-key scheme, __any_of)
            alerts,
            checks,
            figures,
            language,
            login_guard,
            lookups,
            navigation,
            panels,
            roles,
            schema,
            security_panel,
            session_lifetime,
            signals,
        )
        from .signin_panel import register_figures, sign_in_alerts, sign_in_panel
        from .views import outbox_figures, outbox_panel

        figures.register("core.outbox", outbox_figures)
        panels.register_panel("dashboard", outbox_panel)
        panels.register_panel("dashboard", sign_in_panel)
        alerts.register(sign_in_alerts)
        register_figures()
        navigation.register("dashboard")
        panels.register("dashboard", security_panel.security_panel)
        panels.register_template("dashboard", "core/partials/security_panel.html")
        navigation.register("outbox")
