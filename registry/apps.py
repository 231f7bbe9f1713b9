from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from core import alerts, evidence, navigation, panels
        from crm import purposes
        from crm.services import notices

        from .notice import art14_register_context
        from .panels import (
            breach_alerts,
            breach_section,
            breaches_panel,
            export_purposes,
            register_figures,
            register_section,
            registry_panel,
            review_alerts,
            security_section,
        )

        navigation.register("registry")
        panels.register_panel("dashboard", breaches_panel)
        panels.register_panel("dashboard", registry_panel)
        alerts.register(breach_alerts)
        alerts.register(review_alerts)
        register_figures()
        evidence.register("register", register_section, order=10)
        evidence.register("breaches", breach_section, order=40)
        evidence.register("security-measures", security_section, order=80)
        notices.register_context(art14_register_context)
        purposes.register(export_purposes)
