from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from consent.messages import message_template_register
        from core import alerts, backups, evidence, navigation, panels
        from crm import querysets, subject_data
        from registry import coverage

        from . import hooks, seeding  # noqa: F401 - seeding registers its seed_demo step
        from .dashboard import purge_alerts, register_figures, retention_panel, retention_section

        navigation.register("retention")
        panels.register_panel("dashboard", retention_panel)
        alerts.register(purge_alerts)
        register_figures()
        evidence.register("retention", retention_section, order=50)
        coverage.register(hooks.policy_gaps)
        subject_data.register_erasure_guard(hooks.legal_hold_refusal)
        hooks.connect_signals()
        querysets.register_hidden(hooks.archived_condition)
        message_template_register("retention_repermission")  # CNS-08: a marketing message, with its way out
        backups.register_after_restore(hooks.ledger_replay_after_restore)
