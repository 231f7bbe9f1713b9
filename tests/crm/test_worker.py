"""The contact repository's tasks through a real Celery worker on Redis (tests/worker.py).

Each queue's job runs here as it does in production: queued by the service or by
beat, taken by a worker process, against the committed database. The tasks that
re-enqueue themselves run with a batch of 1 so the worker goes through the chain.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import OutboxMessage, OutboxStatus
from crm.imports.services import import_job_create, import_job_map, import_job_start
from crm.models import Contact, ImportJob, ImportStatus, SourceKind
from crm.tasks import expire_import_jobs, send_art14_notices

from ..factories import ContactFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CSV = b"first_name,last_name,email\nAnna,Queued,anna.queued@example.org\nBruno,Queued,bruno.queued@example.org\n"


def test_the_worker_dry_runs_then_runs_a_queued_import(worker, worker_media, sales_user, settings):
    # given a mapped import larger than what runs in the request
    settings.IMPORT_INLINE_MAX_ROWS = 1
    upload = SimpleUploadedFile("fair.csv", CSV, content_type="text/csv")
    job = import_job_create(upload=upload, supplier="Fair", user=sales_user)
    job = import_job_map(job=job, mapping=job.mapping)

    # when the dry run, then the run, are queued
    import_job_start(job=job, dry_run=True)
    worker.wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED, "dry run")
    assert not Contact.objects.filter(last_name="Queued").exists()
    import_job_start(job=ImportJob.objects.get(pk=job.pk), dry_run=False)

    # then the worker imports both rows, attributed to the import on behalf of its user
    worker.wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE, "import")
    imported = Contact.objects.filter(last_name="Queued")
    assert sorted(imported.values_list("first_name", flat=True)) == ["Anna", "Bruno"]
    history = Contact.history.filter(id__in=imported.values("pk"), history_type="+")
    assert {(row.history_actor_kind, row.history_user_id) for row in history} == {("job", sales_user.pk)}


def test_the_worker_sends_pending_art14_notices_batch_by_batch(worker):
    # given two contacts from an import still owed their Art. 14 notice
    pending = [
        ContactFactory(source=SourceKind.IMPORT, source_detail="fair.csv", collected_at=timezone.now())
        for _ in range(2)
    ]

    # when beat queues the notices, one contact per batch
    send_art14_notices.delay(1)

    # then both are told, once each, and the default queue delivers the messages
    pks = [contact.pk for contact in pending]
    worker.wait_until(lambda: not Contact.objects.filter(pk__in=pks, art14_notice_sent_at=None).exists(), "notices")
    messages = OutboxMessage.objects.filter(contact_id__in=pks)
    worker.wait_until(lambda: messages.filter(status=OutboxStatus.SENT).count() == 2, "delivery of the notices")
    assert messages.count() == 2


def test_the_worker_expires_an_abandoned_upload(worker, worker_media, sales_user):
    # given an upload never mapped or run, made two days ago
    upload = SimpleUploadedFile("left.csv", b"first_name,last_name\nAnna,Martin\n", content_type="text/csv")
    job = import_job_create(upload=upload, supplier="Fair", user=sales_user)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))

    # when beat queues the hourly expiry
    expire_import_jobs.delay()

    # then the purge queue's worker deletes the job and its file
    worker.wait_until(lambda: not ImportJob.objects.filter(pk=job.pk).exists(), "expiry")
    assert not any(path.is_file() for path in worker_media.rglob("*"))
