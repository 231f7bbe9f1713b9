from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consents")

    def ready(self) -> None:
        from core import alerts, evidence, navigation, outbox, panels
        from crm import suppression
        from registry import coverage

        from . import signals  # noqa: F401 - connects the receivers
        from .dashboard import basis_alerts, consent_panel, consent_proof_section, register_figures
        from .hooks import purpose_gaps, suppressed, unsubscribe_headers

        navigation.register("consents")
        panels.register_panel("dashboard", consent_panel)
        alerts.register(basis_alerts)
        register_figures()
        evidence.register("consent-proofs", consent_proof_section, order=30)
        panels.register_template("contact", "consent/contact_panel_loader.html")
        suppression.register(suppressed)
        outbox.register_headers(unsubscribe_headers)
        coverage.register(purpose_gaps)
