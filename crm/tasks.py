"""Celery tasks of the contact repository (thin: re-fetch, call one service)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.actors import Actor, acting_as

from .imports.services import import_actor, import_job_dry_run, import_job_run, import_jobs_expire
from .models import DeliveryOutcome, ImportJob, ImportStatus
from .services.notices import art14_notices_send_pending
from .services.webhooks import recipient_notice_deliver, retry_delay

WEBHOOK_ACTOR = Actor.job("art19-webhook")


@shared_task(queue="default", acks_late=True)
def import_run(job_id: int, dry_run: bool = False) -> None:
    """Dry-run or run an import job; delivered twice, the second call resumes or does nothing."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status == ImportStatus.DONE:
        return
    with acting_as(import_actor(job)):
        if dry_run:
            if job.status == ImportStatus.VALIDATING:
                import_job_dry_run(job=job)
        else:
            import_job_run(job=job)


@shared_task(queue="purge", acks_late=True)
def expire_import_jobs(batch_size: int = 200) -> int:
    """Expire import jobs past their short life, a batch at a time; re-enqueues itself while more remain.

    Deletes jobs never finished within IMPORT_ABANDONED_HOURS (row, file, history);
    strips finished jobs older than IMPORT_KEEP_DAYS of their file name, supplier,
    columns, mapping and report (history too), keeping who imported when and the counts.
    """
    deleted, stripped, has_more = import_jobs_expire(batch_size=batch_size)
    if has_more:
        expire_import_jobs.delay(batch_size)
    return deleted + stripped


@shared_task(queue="default", acks_late=True)
def send_art14_notices(batch_size: int = 500) -> int:
    """Send the Art. 14 notice to contacts from indirect sources still waiting for it (CON-12), a batch at a time.

    Re-enqueues itself while more remain. Contacts without an email address are
    skipped and stay on the overdue list; a contact is never sent two notices.
    """
    sent, has_more = art14_notices_send_pending(batch_size=batch_size)
    if has_more:
        send_art14_notices.delay(batch_size)
    return sent


@shared_task(queue="default", acks_late=True)
def deliver_recipient_notice(notification_id: int, attempt: int = 1) -> str | None:
    """Post one attempt of an Art. 19 task's signed notice; on failure, queue the next attempt after an
    exponential backoff until WEBHOOK_MAX_ATTEMPTS. Returns quietly when the task is closed or gone."""
    with acting_as(WEBHOOK_ACTOR):
        outcome = recipient_notice_deliver(notification_id=notification_id, attempt=attempt)
    if outcome == DeliveryOutcome.FAILED:
        deliver_recipient_notice.apply_async((notification_id, attempt + 1), countdown=retry_delay(attempt))
    return outcome


@shared_task(queue="dedup", acks_late=True)
def dedup_run(run_id: int) -> None:
    """Plan a duplicate-detection run and hand its chunks to the `dedup` workers (a group)."""
    from celery import group

    from .dedup.jobs import dedup_run_plan
    from .models import DedupRun, RunStatus

    run = DedupRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, chunks_total=0).first()
    if run is None:  # gone, or planned already (a redelivery)
        return
    chunks = dedup_run_plan(run=run)
    if not chunks:
        DedupRun.objects.filter(pk=run_id).update(status=RunStatus.DONE, finished_at=timezone.now())
        return
    group(dedup_chunk.s(run_id, chunk) for chunk in chunks).apply_async()


@shared_task(queue="dedup", acks_late=True)
def dedup_chunk(run_id: int, chunk: list[list[int]]) -> int:
    """Score one chunk of blocks; a rerun inserts nothing twice (pairs are unique)."""
    from .dedup.jobs import dedup_chunk_score

    with acting_as(Actor.job("dedup")):
        return dedup_chunk_score(run_id=run_id, chunk=chunk)
