from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from core import navigation, panels

        from . import checks  # noqa: F401  (registers the subject-data map check)
        from .imports.erasure import on_contact_erasing
        from .selectors import (
            art14_dashboard_panel,
            art19_dashboard_panel,
            dashboard_panel,
            duplicates_dashboard_panel,
            home_panel,
        )
        from .signals import contact_erasing

        navigation.register("contacts")
        panels.register("home", home_panel)
        panels.register("dashboard", dashboard_panel)
        panels.register("dashboard", art14_dashboard_panel)
        panels.register("dashboard", art19_dashboard_panel)
        panels.register("dashboard", duplicates_dashboard_panel)
        panels.register_template("dashboard", "crm/partials/duplicates_panel.html")
        panels.register_template("contact", "crm/partials/contact_duplicates.html")
        contact_erasing.connect(on_contact_erasing, dispatch_uid="crm.imports.erasure")
