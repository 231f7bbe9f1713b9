"""Notices the organisation owes a person: Art. 14 for data not obtained from them (CON-12)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.audit import audit_event_record
from core.models import OutboxMessage
from core.outbox import message_send
from core.subject_data import Category

from ..models import Contact, ContactPoint, ContactPointKind, SourceKind

ART14_TEMPLATE = "art14_notice"

# Apps to the right of crm add what they know to every notice (the registry: purposes, legal bases, retention,
# recipients, the DPO's contact) without crm importing them: each provider takes the contact, returns context.
NoticeContextProvider = Callable[[Contact], dict[str, Any]]
_context_providers: list[NoticeContextProvider] = []


def register_context(provider: NoticeContextProvider) -> NoticeContextProvider:
    if provider not in _context_providers:
        _context_providers.append(provider)
    return provider


def notice_context(*, contact: Contact) -> dict[str, Any]:
    """What every notice to a person starts from: their first name, and who the controller is and how to reach it."""
    return {
        "first_name": contact.first_name,
        "controller_name": settings.CONTROLLER_NAME,
        "controller_contact": settings.CONTROLLER_CONTACT,
    }


def art14_notice_context(*, contact: Contact) -> dict[str, Any]:
    """What the Art. 14 notice tells the person: who we are, where their data came from, what we hold.

    Labels stay lazy so the message renders them in the contact's language.
    """
    from ..subject_data import subject_data_categories

    extra: dict[str, Any] = {}
    for provider in _context_providers:
        extra.update(provider(contact))
    return {
        **extra,
        **notice_context(contact=contact),
        "source": SourceKind(contact.source).label,
        "source_detail": contact.source_detail,
        "collected_at": contact.collected_at or contact.created_at,
        "categories": [Category(category).label for category in subject_data_categories(contact=contact)],
    }


def art14_notice_send(*, contact: Contact) -> OutboxMessage | None:
    """Send the Art. 14 notice to a contact whose data came from someone else; at most once.

    Returns None, doing nothing, unless the contact is still pending (an indirect
    source, no notice yet, not deleted, not restricted) and has an email address.
    Otherwise, in one transaction: the message goes through the outbox in the
    contact's preferred language, `art14_notice_sent_at` is stored (a history row
    attributed to the current actor) and an "art14.notice_sent" audit event is
    written. The contact row stays locked meanwhile, so two concurrent calls send
    one notice.
    """
    with transaction.atomic():
        locked = Contact.objects.art14_pending().select_for_update().filter(pk=contact.pk).first()
        if locked is None:
            return None
        email = locked.primary_email
        if not email:
            return None
        message = message_send(
            to=email,
            template=ART14_TEMPLATE,
            context=art14_notice_context(contact=locked),
            contact=locked,
            language=locked.preferred_language,
        )
        locked.art14_notice_sent_at = timezone.now()
        locked._change_reason = "Art. 14 notice sent"
        locked.save()
        audit_event_record(
            action="art14.notice_sent",
            obj=locked,
            subject_id=locked.pk,
            data={"message_id": message.pk},
            details={"source": locked.source, "language": locked.preferred_language},
        )
    contact.art14_notice_sent_at = locked.art14_notice_sent_at
    return message


def art14_notices_send_pending(*, batch_size: int = 500) -> tuple[int, bool]:
    """Send the Art. 14 notice to up to `batch_size` pending contacts that have an email address.

    Each contact is its own transaction, so an interrupted batch keeps what it
    sent and a rerun sends the rest. Contacts without an email address are left
    out and stay pending (the overdue list shows them). Returns (sent, has_more).
    """
    has_email = Exists(ContactPoint.objects.filter(contact=OuterRef("pk"), kind=ContactPointKind.EMAIL))
    pks = list(
        Contact.objects.art14_pending().filter(has_email).order_by("pk").values_list("pk", flat=True)[: batch_size + 1]
    )
    sent = 0
    for pk in pks[:batch_size]:
        if art14_notice_send(contact=Contact(pk=pk)) is not None:
            sent += 1
    return sent, len(pks) > batch_size
