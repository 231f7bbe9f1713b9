from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consents")

    def ready(self) -> None:
        from core import alerts, evidence, navigation, outbox, panels
        from crm import suppression
        from registry import coverage

        from . import merge, signals  # noqa: F401 - connects the receivers
        from .dashboard import basis_alerts, consent_panel, consent_proof_section, register_figures

        merge.register()
        from .hooks import purpose_gaps, suppressed, unsubscribe_headers
        from .messages import message_template_register

        navigation.register("consents")
        panels.register_panel("dashboard", consent_panel)
        alerts.register(basis_alerts)
        register_figures()
        evidence.register("consent-proofs", consent_proof_section, order=30)
        panels.register_template("contact", "consent/contact_panel_loader.html")
        suppression.register(suppressed)
        outbox.register_headers(unsubscribe_headers)
        coverage.register(purpose_gaps)
        # CNS-08: the messages this app sends, and the first message to a person imported from elsewhere (CON-12).
        message_template_register("consent_confirmation")
        message_template_register("art14_notice", marketing=False, first_contact=True)
