from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """Who may do what: staff sign-in (password rules, lockout, two-factor, session lifetime), roles and
    their permissions, API keys with their scopes and throttles, and the periodic access review.

    It stands on core only; core knows nothing of it. What core shows or sends about access (the
    dashboard's sign-in and security panels, sign-in alerts, the digest's recipients, the evidence
    pack's access review) is registered here, through core's hooks."""

    name = "access"
    verbose_name = _("Access control")

    def ready(self) -> None:
        from core import alerts, evidence, panels

        from . import (  # noqa: F401  (registers the role grants, lockout handlers, the API-key scheme)
            login_guard,
            roles,
            schema,
            security_panel,
            session_lifetime,
        )
        from .access_review import access_review_evidence
        from .signin_panel import register_figures, sign_in_alerts, sign_in_panel

        panels.register_panel("dashboard", sign_in_panel)
        alerts.register(sign_in_alerts)
        alerts.register_recipients(roles.dpo_addresses)
        register_figures()
        panels.register("dashboard", security_panel.security_panel)
        panels.register_template("dashboard", "access/partials/security_panel.html")
        evidence.register("access-review", access_review_evidence, order=90)
