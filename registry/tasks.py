from __future__ import annotations

from celery import shared_task

from core.actors import Actor, acting_as

from .models import Breach
from .services import breach_contacts_inform


@shared_task(queue="default", acks_late=True)
def inform_breach_contacts(breach_id: int) -> int:
    """Tell the contacts concerned by a breach, a batch at a time; re-enqueues itself until all are told."""
    breach = Breach.objects.filter(pk=breach_id).first()
    if breach is None:
        return 0
    with acting_as(Actor.job("inform_breach_contacts")):
        sent, has_more = breach_contacts_inform(breach=breach)
    if has_more:
        inform_breach_contacts.delay(breach_id)
    return sent
