"""The core tasks through a real Celery worker on Redis, and the list of tasks the worker tests cover.

Each task of the project runs through a real worker at least once (tests/worker.py);
`test_every_task_runs_through_a_real_worker_in_some_test` fails when a new task has
no such test.
"""

from __future__ import annotations

import importlib

import pytest

from core.models import OutboxMessage, OutboxStatus, WorkerHeartbeat
from core.outbox import message_send
from core.tasks import heartbeat

# task name -> the test that runs it through a real worker ("module::function", under tests/)
RUN_THROUGH_A_WORKER = {
    "core.tasks.heartbeat": "core.test_worker::test_the_worker_records_its_heartbeat",
    "core.tasks.deliver_message": "core.test_worker::test_the_worker_delivers_an_outbox_message",
    "crm.tasks.import_run": "crm.test_worker::test_the_worker_dry_runs_then_runs_a_queued_import",
    "retention.tasks.evaluate_policies": (
        "retention.test_worker::test_the_daily_evaluation_purges_contacts_deleted_by_staff_through_a_real_worker"
    ),
    "retention.tasks.purge_run_execute": (
        "retention.test_worker::test_the_daily_evaluation_purges_contacts_deleted_by_staff_through_a_real_worker"
    ),
    "crm.tasks.expire_import_jobs": "crm.test_worker::test_the_worker_expires_an_abandoned_upload",
    "registry.tasks.inform_breach_contacts": (
        "registry.test_worker::test_the_worker_tells_the_contacts_concerned_by_a_breach"
    ),
    "crm.tasks.send_art14_notices": "crm.test_worker::test_the_worker_sends_pending_art14_notices_batch_by_batch",
    "dsar.tasks.send_reminders": "dsar.test_worker::test_the_worker_escalates_an_overdue_request_to_the_dpo",
    "dsar.tasks.lapse_unverified": "dsar.test_worker::test_the_worker_deletes_lapsed_unverified_submissions",
    "dsar.fulfilment.tasks.erasure_run_execute": (
        "dsar.test_fulfil_worker::test_the_worker_erases_the_matched_contacts_with_a_proof_each"
    ),
    "dsar.fulfilment.tasks.expire_response_files": (
        "dsar.test_fulfil_worker::test_the_worker_deletes_expired_response_files"
    ),
}


def test_every_task_runs_through_a_real_worker_in_some_test():
    from config.celery import app

    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours - set(RUN_THROUGH_A_WORKER) == set(), "add a worker test for these tasks to RUN_THROUGH_A_WORKER"
    for task, where in RUN_THROUGH_A_WORKER.items():
        module_name, _, function_name = where.partition("::")
        module = importlib.import_module(f"tests.{module_name}")
        function = getattr(module, function_name, None)
        assert function is not None, f"{task}: {where} does not exist"
        marks = [*getattr(module, "pytestmark", []), *getattr(function, "pytestmark", [])]
        assert "worker" in {mark.name for mark in marks}, f"{where} is not marked `worker`"
        assert "worker" in function.__code__.co_varnames[: function.__code__.co_argcount], f"{where} has no worker"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_records_its_heartbeat(worker, client):
    heartbeat.delay()

    worker.wait_until(lambda: WorkerHeartbeat.objects.exists(), "heartbeat")
    assert client.get("/healthz").json()["checks"]["worker"]["status"] == "ok"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_an_outbox_message(worker, message_templates, contact):
    # given a committed message (its delivery is queued on commit)
    message = message_send(
        to="worker.test@example.org",
        template="test_notice",
        context={"name": "Ana", "reference": "W-1"},
        contact=contact,
    )

    # then the worker sends it, attributed to the job, and the console backend shows the decrypted subject
    worker.wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT, "delivery")
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "")
    assert message.history.filter(history_actor_kind="job", history_actor_label="core.tasks.deliver_message").exists()
    worker.wait_until(lambda: "W-1" in worker.log_text(), "the e-mail in the worker's output")
