from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DsarConfig(AppConfig):
    name = "dsar"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from core import navigation, panels

        from . import seeding, signals  # noqa: F401 - seeding registers its seed_demo step; signals connect
        from .models.requests import declare_match
        from .panels import dashboard_panel

        declare_match()
        navigation.register("requests")
        panels.register("dashboard", dashboard_panel)
        panels.register_template("dashboard", "dsar/dashboard_panel.html")
        panels.register_template("contact", "dsar/contact_panel.html")

        from .fulfilment import hooks

        hooks.connect_signals()
