"""An erased or purged consent event takes its attachment with it (DESIGN invariant 8: files go with the person)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import ConsentEvent


@receiver(post_delete, sender=ConsentEvent)
def _delete_attachment(sender: Any, instance: ConsentEvent, **kwargs: Any) -> None:
    if instance.attachment:
        storage, name = instance.attachment.storage, instance.attachment.name
        transaction.on_commit(lambda: storage.delete(name))
