"""Celery tasks of fulfilment (thin: re-fetch, call one service)."""

from __future__ import annotations

from celery import shared_task

from core.actors import Actor, acting_as

from .erasure import erasure_run_process
from .files import response_files_expire

EXPIRY_ACTOR = Actor.job("dsar response files expiry")


@shared_task(queue="purge", acks_late=True, reject_on_worker_lost=True)
def erasure_run_execute(run_id: int) -> None:
    """Erase the contacts of one erasure run, one transaction per contact, each with its proof.

    Delivered again after a killed worker, it skips the contacts already erased and finishes the run.
    """
    from dsar.models import ErasureRun

    run = ErasureRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    with acting_as(Actor.job(f"dsar erasure (started by {run.operator_label})")):
        erasure_run_process(run_id=run_id)


@shared_task(queue="purge", acks_late=True)
def expire_response_files(batch_size: int = 500) -> int:
    """Daily: delete access reports and portability exports older than DSAR_REPORT_DAYS; re-enqueues while more."""
    with acting_as(EXPIRY_ACTOR):
        deleted, has_more = response_files_expire(batch_size=batch_size)
    if has_more:
        expire_response_files.delay(batch_size)
    return deleted
