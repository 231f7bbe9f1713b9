"""A purge through a real worker on Redis, SIGKILLed mid-run: every contact is fully purged or untouched.

Its own module: the shared `worker` fixture (which consumes every queue) of the other worker tests must not be
alive in this process, or it takes the purge task from the worker killed here.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import psycopg2
import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.models import OutboxMessage
from crm.models import Contact, ContactPoint
from retention.models import RetentionPolicy, RunStatus
from retention.services import purge_run_approve, purge_run_batch, purge_run_preview

from ..factories import ContactFactory, UserFactory
from ..worker import start_worker_process

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CONTACTS = 120
BATCH_SIZE = 5
BATCHES_BEFORE_KILL = 5


def _lock_contact(pk: int) -> psycopg2.extensions.connection:
    """Another session holding a contact's row lock: the batch that reaches it waits."""
    params = connection.get_connection_params()
    blocker = psycopg2.connect(**params)
    with blocker.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {Contact._meta.db_table} WHERE id = %s FOR UPDATE", [pk])
    return blocker


def _worker_waits_on_a_lock(blocker: psycopg2.extensions.connection) -> bool:
    # Asked from the test's own session: inside the blocker's transaction pg_stat_activity is a snapshot.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [blocker.get_backend_pid()]
        )
        return cursor.fetchone()[0] > 0


def _end_the_dead_workers_session(blocker: psycopg2.extensions.connection) -> None:
    """The killed worker's server session still waits on the lock: end it, as the server would, then unlock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
            [blocker.get_backend_pid()],
        )
    blocker.close()


def _state(pk: int) -> tuple[bool, int, int, int]:
    return (
        Contact.objects.filter(pk=pk).exists(),
        ContactPoint.objects.filter(contact_id=pk).count(),
        Contact.history.filter(id=pk).count(),
        OutboxMessage.objects.filter(contact_id=pk).count(),
    )


def test_a_worker_killed_mid_run_leaves_each_contact_whole_or_gone_and_a_rerun_completes(tmp_path):
    from config.celery import app

    app.control.purge()
    # given 120 expired prospects, each with an e-mail, history and an outbox message
    long_ago = timezone.now() - timedelta(days=4 * 365)
    contacts = [ContactFactory(status="prospect", collected_at=long_ago) for _ in range(CONTACTS)]
    for contact in contacts:
        OutboxMessage.objects.create(contact=contact, recipient="x@example.org", template="t", subject="s", body="b")
    before = {contact.pk: _state(contact.pk) for contact in contacts}
    dpo = UserFactory(username="dpo-worker")

    # when the DPO approves the run and the worker is SIGKILLed while its sixth batch waits on a row lock
    # held by another session (so the kill lands mid-run however fast the purge is)
    run = purge_run_preview(policy=RetentionPolicy.objects.get(key="prospects"))
    blocker = _lock_contact(sorted(before)[BATCHES_BEFORE_KILL * BATCH_SIZE + 2])
    try:
        with (tmp_path / "worker.log").open("w") as log:
            worker = start_worker_process(log, "purge", "purge", RETENTION_PURGE_BATCH_SIZE=str(BATCH_SIZE))
            try:
                with transaction.atomic():
                    purge_run_approve(run=run, user=dpo)
                deadline = time.monotonic() + 120  # a worker starts slowly on a loaded machine
                while not _worker_waits_on_a_lock(blocker):
                    assert time.monotonic() < deadline and worker.poll() is None, "the worker never reached the lock"
                    time.sleep(0.05)
                os.kill(worker.pid, signal.SIGKILL)
            finally:
                worker.kill()  # never leave a worker behind to take the next test's tasks
                worker.wait(timeout=10)
    finally:
        _end_the_dead_workers_session(blocker)
    app.control.purge()

    # then the batches committed before the kill stand, the interrupted one left no trace,
    # and each contact is either untouched or purged everywhere
    run.refresh_from_db()
    assert (run.status, run.processed) == (RunStatus.RUNNING, BATCHES_BEFORE_KILL * BATCH_SIZE)
    gone = [pk for pk in before if _state(pk) == (False, 0, 0, 0)]
    untouched = [pk for pk in before if _state(pk) == before[pk]]
    assert len(gone) + len(untouched) == CONTACTS
    assert len(gone) == run.processed

    # and a rerun (the delivered-again task, or the daily evaluation) completes the run
    while purge_run_batch(run_id=run.pk, batch_size=50):
        pass
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.processed == CONTACTS
    assert not Contact.objects.exists()
