from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from core import alerts, audit_explorer, navigation, panels

        from . import checks  # noqa: F401  (registers the subject-data map check)
        from .dashboard import (
            access_source,
            art14_alerts,
            contacts_panel,
            data_quality_panel,
            duplicates_panel,
            export_alerts,
            home_panel,
            reading_alerts,
            register_figures,
            security_panel,
        )
        from .imports.erasure import on_contact_erasing
        from .signals import contact_erasing

        navigation.register("contacts")
        panels.register("home", home_panel)
        panels.register_template("contact", "crm/partials/contact_duplicates.html")
        for panel in (contacts_panel, data_quality_panel, duplicates_panel, security_panel):
            panels.register_panel("dashboard", panel)
        for provider in (art14_alerts, export_alerts, reading_alerts):
            alerts.register(provider)
        register_figures()
        audit_explorer.register_source("access", access_source)
        contact_erasing.connect(on_contact_erasing, dispatch_uid="crm.imports.erasure")
