"""Signals fulfilment listens to: a restriction lifted through crm's own path closes the request's link."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from core.models import AuditEvent


def _restriction_lifted(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    if created and instance.action == "restriction.lifted" and instance.subject_id:
        from .rights import restriction_lifted

        restriction_lifted(contact_id=instance.subject_id)


def connect_signals() -> None:
    post_save.connect(_restriction_lifted, sender=AuditEvent, dispatch_uid="dsar_restriction_lifted")
