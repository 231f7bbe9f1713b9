"""Celery tasks of the retention app (thin: re-fetch, call one service), on the `purge` queue."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.actors import Actor, acting_as

from .services import policies_evaluate, purge_run_batch

PURGE_ACTOR = Actor.job("retention purge")


@shared_task(queue="purge", acks_late=True, reject_on_worker_lost=True)
def purge_run_execute(run_id: int) -> bool:
    """Purge one batch of a queued or running run, then re-enqueue itself while more remain.

    A batch is one transaction: a worker killed mid-batch leaves it untouched, and
    the task, delivered again, starts over from the contacts still expired.
    """
    with acting_as(PURGE_ACTOR):
        has_more = purge_run_batch(run_id=run_id, batch_size=settings.RETENTION_PURGE_BATCH_SIZE)
    if has_more:
        purge_run_execute.delay(run_id)
    return has_more


@shared_task(queue="purge", acks_late=True, reject_on_worker_lost=True)
def evaluate_policies() -> int:
    """Daily: preview every enforced policy, queue those the DPO approved at their current version."""
    with acting_as(PURGE_ACTOR):
        return len(policies_evaluate())


@shared_task(queue="default", acks_late=True, reject_on_worker_lost=True)
def send_repermission_requests() -> int:
    """Daily (RET-04): the one re-consent request to each contact whose period ends within its policy's N days."""
    from .repermission import repermission_send_all

    with acting_as(Actor.job("retention re-permission")):
        return sum(repermission_send_all().values())
