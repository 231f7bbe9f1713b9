"""What the retention app adds to other apps without them importing it: a coverage rule, an erasure
guard (legal holds) and the ledger entry of every erasure."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import AuditEvent
from core.subject_data import Category
from crm.models import Contact
from registry.coverage import Gap
from registry.models import ProcessingActivity

from .models import LedgerAction, RetentionPolicy
from .selectors import archived, contact_held


def policy_gaps() -> list[Gap]:
    """RET-01: every data category of every approved activity has a retention policy."""
    covered = set(RetentionPolicy.objects.filter(activity__isnull=False).values_list("activity_id", "category"))
    gaps = []
    for activity in ProcessingActivity.objects.approved().prefetch_related("data_categories"):
        missing = [row.category for row in activity.data_categories.all() if (activity.pk, row.category) not in covered]
        if missing:
            gaps.append(
                Gap(
                    rule="retention",
                    message=_("%(activity)s: %(count)d data category(ies) without a retention policy.")
                    % {"activity": str(activity), "count": len(missing)},
                    link=reverse("retention:index"),
                    causes=[str(Category(category).label) for category in missing],
                )
            )
    return gaps


def archived_condition() -> Q:
    """RET-05: archived contacts leave every list, search, export and the API (crm's `restrict`)."""
    return archived()


def legal_hold_refusal(contact: Contact) -> str:
    if contact_held(contact):
        return _("This contact is under a legal hold: it cannot be erased until the hold ends or is lifted.")
    return ""


def _ledger_on_erasure(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    """RET-08: an erasure (a request, or the end of a staff delete) joins the ledger replayed after a restore."""
    if created and instance.action == "subject.erased" and instance.subject_id:
        from .ledger import ledger_append

        ledger_append([instance.subject_id], action=LedgerAction.ERASED, run_id=None, recorded_at=instance.occurred_at)


def connect_signals() -> None:
    post_save.connect(_ledger_on_erasure, sender=AuditEvent, dispatch_uid="retention_ledger_on_erasure")


def ledger_replay_after_restore(backup_taken_at: Any) -> dict[str, int]:
    """After a restore (core.backups), purge again everyone the ledger says went since the backup was taken."""
    from core.actors import Actor, acting_as

    from .ledger import erasures_replay

    with acting_as(Actor.system("restore")):
        return {f"ledger_{action}": count for action, count in erasures_replay(since=backup_taken_at).items()}
