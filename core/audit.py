"""Domain events: the explicit, append-only record each GDPR-relevant service writes."""

from __future__ import annotations

from typing import Any

from django.db import models

from .actors import Actor, current_actor
from .models import AuditEvent


def audit_event_record(
    *,
    action: str,
    obj: models.Model | None = None,
    subject_id: int | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEvent:
    """Write one audit event inside the caller's transaction.

    `data` must hold no personal data of the subject: ids, counts, field names.
    """
    actor = actor or current_actor()
    return AuditEvent.objects.create(
        action=action,
        actor_kind=actor.kind,
        actor_label=actor.label[:150],
        actor_user_id=actor.user_id,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        subject_id=subject_id,
        reason=reason[:255],
        data=data or {},
    )
