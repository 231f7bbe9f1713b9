from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from core import backups, navigation
        from crm import querysets, subject_data
        from registry import coverage

        from . import hooks, seeding  # noqa: F401 - seeding registers its seed_demo step

        navigation.register("retention")
        coverage.register(hooks.policy_gaps)
        subject_data.register_erasure_guard(hooks.legal_hold_refusal)
        hooks.connect_signals()
        querysets.register_hidden(hooks.archived_condition)
        backups.register_after_restore(hooks.ledger_replay_after_restore)
