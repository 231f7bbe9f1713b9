"""An erasure through a real worker, SIGKILLed mid-run: each contact is fully erased or untouched; a rerun finishes.

Its own module: the shared `worker` fixture of other modules must not take the task from the worker killed here.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage
from crm.models import Contact, ContactPoint
from crm.services import interaction_create
from dsar.fulfilment.erasure import erasure_run_process, erasure_start
from dsar.models import ErasureProof, ErasureRun

from ..factories import ContactFactory
from ..worker import start_worker_process
from .fulfil_support import verified_request

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CONTACTS = 60


def _state(pk: int) -> tuple[bool, int, int, int]:
    return (
        Contact._base_manager.filter(pk=pk).exists(),
        ContactPoint.objects.filter(contact_id=pk).count(),
        Contact.history.filter(id=pk).count(),
        ContactPoint.history.filter(contact_id=pk).count(),
    )


def test_a_worker_killed_mid_erasure_leaves_each_contact_whole_or_gone_and_a_rerun_completes(tmp_path):
    from config.celery import app

    app.control.purge()
    # given one request matched to 60 contacts (duplicates of one person), each with points, history, an interaction
    contacts = [
        ContactFactory(emails=[f"dup{i}@example.org"], phones=["+33 6 12 34 56 78"] if i == 0 else [])
        for i in range(CONTACTS)
    ]
    for contact in contacts:
        interaction_create(contact=contact, kind="call", occurred_at=timezone.now(), subject="Call", body="b")
    request = verified_request(contacts, rights=["erasure"], email="dup0@example.org")
    before = {c.pk: _state(c.pk) for c in contacts}

    # when the erasure is queued and the worker is SIGKILLed after a few contacts
    with (tmp_path / "worker.log").open("w") as log:
        worker = start_worker_process(log, "purge,default", "erase")
        try:
            with transaction.atomic():
                run = erasure_start(request=request)
            deadline = time.monotonic() + 90
            while ErasureProof.objects.filter(run=run).count() < 5 and time.monotonic() < deadline:
                time.sleep(0.02)
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.wait(timeout=10)
    app.control.purge()

    # then each contact is either untouched or erased everywhere with exactly one proof
    run.refresh_from_db()
    proved = set(ErasureProof.objects.filter(run=run).values_list("contact_ref", flat=True))
    assert 5 <= len(proved) < CONTACTS, (len(proved), (tmp_path / "worker.log").read_text()[-2000:])
    for pk, state in before.items():
        if pk in proved:
            assert _state(pk) == (False, 0, 0, 0), pk
        else:
            assert _state(pk) == state, pk
    assert run.processed == len(proved) and run.status == "running"

    # and a rerun (the task delivered again) completes the run: every contact erased, one proof each
    erasure_run_process(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done" and run.processed == CONTACTS
    assert not Contact._base_manager.filter(pk__in=list(before)).exists()
    refs = list(ErasureProof.objects.filter(request=request).values_list("contact_ref", flat=True))
    assert sorted(refs) == sorted(before)  # exactly one per contact
    assert OutboxMessage.objects.filter(template="dsar_erasure_answer").count() == 1  # answered once
    assert ErasureRun.objects.count() == 1
