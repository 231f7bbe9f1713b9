from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DsarConfig(AppConfig):
    name = "dsar"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from .models.requests import declare_match

        declare_match()

        from .fulfilment import hooks

        hooks.connect_signals()
