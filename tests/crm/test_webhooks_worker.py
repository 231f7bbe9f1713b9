"""Art. 19 notices through a real Celery worker on Redis, to a real HTTP receiver: retry after a 500, then close."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction

from crm.models import AccessChannel, NotificationCause, NotificationStatus, RecipientNotification, WebhookDelivery
from crm.services import disclosure_record, recipient_notifications_open
from crm.services.webhooks import recipient_endpoint_save

from ..factories import ContactFactory
from .webhook_receiver import receiving

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WORKER_SETTINGS = {
    "WEBHOOK_HTTP_HOSTS": "127.0.0.1",
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    "WEBHOOK_RETRY_BASE_SECONDS": "0.5",
}
SECRET = "worker-test-shared-secret"


@pytest.fixture(scope="module", autouse=True)
def _worker_reaches_the_local_receiver() -> Iterator[None]:
    """Set before the module's worker starts (it copies this process's environment)."""
    saved = {name: os.environ.get(name) for name in WORKER_SETTINGS}
    os.environ.update(WORKER_SETTINGS)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def test_the_worker_retries_a_failed_notice_and_a_delivered_one_closes_the_task(worker, settings):
    settings.WEBHOOK_HTTP_HOSTS, settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1"], True
    contact = ContactFactory()
    disclosure_record(recipient="Mailing tool", channel=AccessChannel.EXPORT, contact_ids=[contact.pk], fields=[])
    with receiving(500, 200) as receiver:
        recipient_endpoint_save(data={"recipient": "Mailing tool", "url": receiver.url, "secret": SECRET})
        with transaction.atomic():
            (task,) = recipient_notifications_open(contact=contact, cause=NotificationCause.RESTRICTION)

        def closed() -> bool:
            return RecipientNotification.objects.get(pk=task.pk).status == NotificationStatus.SENT

        worker.wait_until(closed, "the notice delivered on its second attempt")

    assert [r.signature_valid(SECRET) for r in receiver.received] == [True, True]
    log = WebhookDelivery.objects.filter(notification=task).order_by("attempt")
    assert [(d.attempt, d.status_code, d.outcome) for d in log] == [(1, 500, "failed"), (2, 200, "delivered")]
    assert log[1].attempted_at - log[0].attempted_at >= timedelta(seconds=0.5)  # the backoff
