from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DsarConfig(AppConfig):
    name = "dsar"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from core import alerts, evidence, navigation, panels

        from . import seeding, signals  # noqa: F401 - seeding registers its seed_demo step; signals connect
        from .models.requests import declare_match
        from .panels import register_figures, request_alerts, requests_panel, requests_section

        declare_match()
        navigation.register("requests")
        panels.register_panel("dashboard", requests_panel)
        alerts.register(request_alerts)
        register_figures()
        evidence.register("requests", requests_section, order=20)
        panels.register_template("contact", "dsar/contact_panel.html")

        from .fulfilment import hooks

        hooks.connect_signals()
