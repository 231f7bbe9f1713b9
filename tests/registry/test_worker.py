"""The breach register's job through a real Celery worker on Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from registry.models import BreachContact
from registry.services import breach_contacts_link, breach_record
from registry.tasks import inform_breach_contacts

from ..factories import ContactFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_tells_the_contacts_concerned_by_a_breach(worker):
    # given a breach with two contacts concerned
    breach = breach_record(
        data={
            "title": "Lost laptop",
            "aware_at": timezone.now() - timedelta(hours=2),
            "description": "A laptop with an export was lost.",
            "nature": ["confidentiality"],
        }
    )
    contacts = [ContactFactory() for _ in range(2)]
    breach_contacts_link(breach=breach, contact_ids=[contact.pk for contact in contacts])

    # when the DPO has them told (the task is queued)
    inform_breach_contacts.delay(breach.pk)

    # then the worker writes one message to each and marks them informed
    affected = BreachContact.objects.filter(breach=breach)
    worker.wait_until(lambda: not affected.filter(informed_at__isnull=True).exists(), "breach notices")
    assert OutboxMessage.objects.filter(contact_id__in=[contact.pk for contact in contacts]).count() == 2
