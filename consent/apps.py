from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consents")

    def ready(self) -> None:
        from core import outbox
        from crm import suppression
        from registry import coverage

        from . import signals  # noqa: F401 - connects the receivers
        from .hooks import purpose_gaps, suppressed, unsubscribe_headers

        suppression.register(suppressed)
        outbox.register_headers(unsubscribe_headers)
        coverage.register(purpose_gaps)
