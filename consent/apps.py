from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consents")

    def ready(self) -> None:
        from core import navigation, outbox, panels
        from crm import suppression
        from registry import coverage

        from . import merge, signals  # noqa: F401 - connects the receivers

        merge.register()
        from .hooks import purpose_gaps, suppressed, unsubscribe_headers

        navigation.register("consents")
        panels.register_template("contact", "consent/contact_panel_loader.html")
        suppression.register(suppressed)
        outbox.register_headers(unsubscribe_headers)
        coverage.register(purpose_gaps)
