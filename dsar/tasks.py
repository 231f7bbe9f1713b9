"""Celery tasks of the dsar app (thin: call one service), on the `default` queue."""

from __future__ import annotations

from celery import shared_task

from core.actors import Actor, acting_as

from .fulfilment.tasks import erasure_run_execute, expire_response_files  # noqa: F401 - fulfilment's tasks
from .services import requests_remind, submissions_lapse

REMINDER_ACTOR = Actor.job("request reminders")
LAPSE_ACTOR = Actor.job("unverified request lapse")


@shared_task(queue="default", acks_late=True)
def send_reminders() -> int:
    """Daily: reminders before due dates, overdue escalation to the DPO (DSR-14); a second run the same day sends
    nothing twice. Re-enqueues itself while more requests wait."""
    with acting_as(REMINDER_ACTOR):
        sent, has_more = requests_remind()
    if has_more:
        send_reminders.delay()
    return sent


@shared_task(queue="default", acks_late=True)
def lapse_unverified() -> int:
    """Hourly: delete the public form's submissions nobody verified in time, and blank their verification
    messages (the address nobody confirmed stays nowhere). Re-enqueues itself while more remain."""
    with acting_as(LAPSE_ACTOR):
        deleted, has_more = submissions_lapse()
    if has_more:
        lapse_unverified.delay()
    return deleted
