"""The outbox: the one way the organisation writes to a person.

`message_send` renders a template, stores the message (encrypted) and sends it
from a Celery task once the transaction commits. The stored row is the proof
of what the person was told and when.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .audit import audit_event_record
from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5

# Apps to the right of core add headers to the messages sent to a person (consent: List-Unsubscribe, CNS-04/08)
# from their AppConfig.ready() with `register_headers(provider)`, where `provider(message)` returns headers.
HeaderProvider = Callable[[OutboxMessage], dict[str, str]]
_header_providers: list[HeaderProvider] = []


def register_headers(provider: HeaderProvider) -> HeaderProvider:
    if provider not in _header_providers:
        _header_providers.append(provider)
    return provider


def message_headers(message: OutboxMessage) -> dict[str, str]:
    headers: dict[str, str] = {}
    for provider in _header_providers:
        headers.update(provider(message))
    return headers


def _render(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """Templates live in templates/messages/<name>.txt; the first line is the subject."""
    with translation.override(language):
        text = render_to_string(f"messages/{template}.txt", {**context, "site_url": settings.SITE_URL})
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def message_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    contact: Any = None,
    language: str = "en",
) -> OutboxMessage:
    """Store a message and queue its delivery after the surrounding transaction commits."""
    from .tasks import deliver_message

    subject, body = _render(template, context or {}, language)
    with transaction.atomic():
        message = OutboxMessage.objects.create(
            contact=contact, recipient=to, template=template, language=language, subject=subject, body=body
        )
        audit_event_record(
            action="outbox.queued",
            obj=message,
            subject_id=getattr(contact, "pk", None),
            data={"template": template},
        )
        transaction.on_commit(lambda: deliver_message.delay(message.pk))
    return message


def message_deliver(*, message_id: int) -> OutboxMessage | None:
    """Send one queued message; a second call for the same message does nothing."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == OutboxStatus.SENT:
            return message
        message.attempts += 1
        try:
            EmailMessage(
                message.subject,
                message.body,
                settings.DEFAULT_FROM_EMAIL,
                [message.recipient],
                headers=message_headers(message),
            ).send()
        except Exception as exc:  # noqa: BLE001 - any transport failure is recorded, not raised
            # The error's class only: a transport's message may quote the address (worker logs hold no address).
            logger.warning("outbox message %s failed: %s", message.pk, type(exc).__name__)
            message.last_error = str(exc)[:255]
            message.status = OutboxStatus.FAILED if message.attempts >= MAX_ATTEMPTS else OutboxStatus.QUEUED
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save()
    return message
