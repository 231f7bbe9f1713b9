"""Receivers of the dsar app: an erased contact's addresses leave the unverified submissions too."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from crm.models import Contact
from crm.signals import contact_erasing

from .services import submissions_forget_address


@receiver(contact_erasing, dispatch_uid="dsar.forget_erased_addresses")
def _forget_erased_addresses(sender: Any, contact: Contact, **kwargs: Any) -> None:
    for index in contact.points.filter(kind="email").values_list("value_index", flat=True):
        submissions_forget_address(email_index=index)
