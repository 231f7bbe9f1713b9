"""Fulfilment's tasks through a real Celery worker on Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from crm.models import Contact
from dsar.fulfilment.erasure import erasure_start
from dsar.fulfilment.files import access_report_create
from dsar.fulfilment.tasks import expire_response_files
from dsar.models import ErasureProof, ErasureRun, ResponseFile

from ..factories import ContactFactory
from .fulfil_support import verified_request

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_erases_the_matched_contacts_with_a_proof_each(worker):
    # given an erasure request matched to a person and a duplicate of them
    contacts = [ContactFactory(emails=["twice@example.org"]), ContactFactory(emails=["twice.dup@example.org"])]
    request = verified_request(contacts, rights=["erasure"], email="twice@example.org")

    # when the DPO starts the erasure (queued on commit)
    with transaction.atomic():
        run = erasure_start(request=request)

    # then the worker erases both, each with its proof, and closes the run
    worker.wait_until(lambda: ErasureRun.objects.get(pk=run.pk).status == "done", "erasure")
    assert not Contact._base_manager.filter(pk__in=[c.pk for c in contacts]).exists()
    assert sorted(ErasureProof.objects.values_list("contact_ref", flat=True)) == sorted(c.pk for c in contacts)


def test_the_worker_deletes_expired_response_files(worker):
    # given an access report made eight days ago
    request = verified_request([ContactFactory()], rights=["access"])
    with transaction.atomic():
        files = access_report_create(request=request)
    ResponseFile.objects.filter(pk__in=[f.pk for f in files]).update(
        created_at=timezone.now() - timedelta(days=8), expires_at=timezone.now() - timedelta(days=1)
    )

    # when beat queues the daily expiry
    expire_response_files.delay()

    # then the files are gone
    worker.wait_until(lambda: not ResponseFile.objects.exists(), "expiry")
