from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from core import navigation, panels
        from crm import purposes
        from crm.services import notices

        from .notice import art14_register_context
        from .panels import dashboard_panel, export_purposes

        navigation.register("registry")
        panels.register("dashboard", dashboard_panel)
        notices.register_context(art14_register_context)
        purposes.register(export_purposes)
