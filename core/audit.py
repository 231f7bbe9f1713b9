"""Domain events: the explicit, append-only record each GDPR-relevant service writes."""

from __future__ import annotations

from typing import Any

from django.db import models

from .actors import Actor, current_actor
from .audit_chain import chain_append
from .models import AuditDetail, AuditEvent


def audit_event_record(
    *,
    action: str,
    obj: models.Model | None = None,
    subject_id: int | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    note: str = "",
    details: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEvent:
    """Write one audit event inside the caller's transaction.

    The event outlives its subject's erasure, so `reason` and `data` hold nothing
    personal: ids, counts, field names, fixed texts. What staff wrote about the
    subject (`note`) and personal details (`details`: a tag name, sensitive
    categories) go to an `AuditDetail` tied to the contact, which the
    subject-data map reaches: access reports show it, erasure deletes it. When
    the contact no longer exists (already erased), they are not written at all.
    """
    if (note or details) and subject_id is None:
        raise ValueError("a note or details about a person need the subject's id")
    actor = actor or current_actor()
    event = AuditEvent(
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
    chain_append(event)
    if note or details:
        _detail_record(event=event, contact_id=subject_id, note=note, details=details or {})
    return event


def _detail_record(*, event: AuditEvent, contact_id: int, note: str, details: dict[str, Any]) -> None:
    contact_model = AuditDetail._meta.get_field("contact").related_model
    if contact_model._base_manager.filter(pk=contact_id).exists():
        AuditDetail.objects.create(event=event, contact_id=contact_id, note=note, details=details)
