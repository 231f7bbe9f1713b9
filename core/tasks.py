from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from .alerts import alert_digest_send
from .evidence import evidence_pack_build, evidence_packs_expire
from .figures import figures_refresh_due
from .health import QUEUE_PREFIX, heartbeat_record
from .models import WorkerHeartbeat
from .outbox import message_deliver


@shared_task(queue="default", acks_late=True)
def deliver_message(message_id: int) -> None:
    message = message_deliver(message_id=message_id)
    if message is not None and message.status == "queued":
        deliver_message.apply_async((message_id,), countdown=60 * message.attempts)


@shared_task(queue="default")
def heartbeat(queue: str = "") -> str:
    """Proves a worker is consuming `queue`: beat sends one per queue; /healthz reports each one's age."""
    worker = socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": timezone.now()})
    if queue:
        heartbeat_record(name=f"{QUEUE_PREFIX}{queue}")
    return worker


@shared_task(queue="reports")
def refresh_figures() -> int:
    """Recompute the dashboard's figures (core.figures) that are older than their interval."""
    return len(figures_refresh_due())


@shared_task(queue="default")
def send_alert_digest() -> int:
    """The DPO's daily digest of current alerts (core.alerts), through the outbox."""
    return alert_digest_send()


@shared_task(queue="reports", acks_late=True)
def build_evidence_pack(pack_id: int) -> None:
    """Build one evidence pack (core.evidence), after deleting the packs past EVIDENCE_PACK_KEEP_DAYS; a rerun
    rebuilds it from the start."""
    evidence_packs_expire()
    evidence_pack_build(pack_id=pack_id)
