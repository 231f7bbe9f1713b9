from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat
from .outbox import message_deliver


@shared_task(queue="default", acks_late=True)
def deliver_message(message_id: int) -> None:
    message = message_deliver(message_id=message_id)
    if message is not None and message.status == "queued":
        deliver_message.apply_async((message_id,), countdown=60 * message.attempts)


@shared_task(queue="default")
def heartbeat() -> str:
    """Proves a worker is consuming: /healthz reports the age of the last beat."""
    worker = socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": timezone.now()})
    return worker
