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
    "retention.tasks.send_repermission_requests": (
        "retention.test_worker::test_the_daily_re_permission_requests_go_out_through_a_real_worker"
    ),
    "retention.tasks.purge_run_execute": (
        "retention.test_worker::test_the_daily_evaluation_purges_contacts_deleted_by_staff_through_a_real_worker"
    ),
    "crm.tasks.expire_import_jobs": "crm.test_worker::test_the_worker_expires_an_abandoned_upload",
    "registry.tasks.inform_breach_contacts": (
        "registry.test_worker::test_the_worker_tells_the_contacts_concerned_by_a_breach"
    ),
    "crm.tasks.send_art14_notices": "crm.test_worker::test_the_worker_sends_pending_art14_notices_batch_by_batch",
    "crm.tasks.deliver_recipient_notice": (
        "crm.test_webhooks_worker::test_the_worker_retries_a_failed_notice_and_a_delivered_one_closes_the_task"
    ),
    "dsar.tasks.send_reminders": "dsar.test_worker::test_the_worker_escalates_an_overdue_request_to_the_dpo",
    "dsar.tasks.lapse_unverified": "dsar.test_worker::test_the_worker_deletes_lapsed_unverified_submissions",
    "dsar.fulfilment.tasks.erasure_run_execute": (
        "dsar.test_fulfil_worker::test_the_worker_erases_the_matched_contacts_with_a_proof_each"
    ),
    "dsar.fulfilment.tasks.expire_response_files": (
        "dsar.test_fulfil_worker::test_the_worker_deletes_expired_response_files"
    ),
    "crm.tasks.dedup_run": "crm.test_dedup_jobs::test_the_dedup_workers_score_the_chunks_of_a_run",
    "crm.tasks.dedup_chunk": "crm.test_dedup_jobs::test_the_dedup_workers_score_the_chunks_of_a_run",
    "core.tasks.refresh_figures": "core.test_worker::test_the_worker_refreshes_figures_and_answers_every_queue",
    "core.tasks.send_alert_digest": "core.test_worker::test_the_worker_sends_the_digest_and_builds_an_evidence_pack",
    "core.tasks.build_evidence_pack": "core.test_worker::test_the_worker_sends_the_digest_and_builds_an_evidence_pack",
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


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_refreshes_figures_and_answers_every_queue(worker, client):
    from core import figures, health
    from core.models import Figure
    from core.tasks import refresh_figures

    # the beat sends one heartbeat per queue, each to its own queue: the worker consuming them records each
    for queue in health.queue_names():
        heartbeat.apply_async((queue,), queue=queue)
    refresh_figures.delay()

    worker.wait_until(lambda: Figure.objects.count() == len(figures.registered_keys()), "figures")
    expected = {health.QUEUE_PREFIX + queue for queue in health.queue_names()}
    worker.wait_until(lambda: expected <= set(WorkerHeartbeat.objects.values_list("worker", flat=True)), "queues")
    queues = client.get("/healthz").json()["checks"]["queues"]
    assert {name: check["status"] for name, check in queues.items()} == dict.fromkeys(health.queue_names(), "ok")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_digest_and_builds_an_evidence_pack(worker, settings, dpo_user):
    from datetime import timedelta

    from django.utils import timezone

    from core.evidence import evidence_pack_request
    from core.models import EvidencePack
    from core.tasks import send_alert_digest
    from registry.services import breach_record

    settings.ALERT_DIGEST_TO = ["dpo@example.org"]
    aware = timezone.now() - timedelta(hours=70)
    breach_record(
        data={"title": "Lost phone", "aware_at": aware, "description": "Lost.", "nature": ["confidentiality"]}
    )

    send_alert_digest.delay()
    pack = evidence_pack_request(user=dpo_user)

    worker.wait_until(lambda: OutboxMessage.objects.filter(template="alert_digest").exists(), "digest")
    worker.wait_until(lambda: EvidencePack.objects.get(pk=pack.pk).status == "done", "evidence pack")
    assert "Lost phone" in OutboxMessage.objects.get(template="alert_digest").body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_records_its_ticks_and_the_worker_answers_its_queue_heartbeats(worker, client, tmp_path):
    """A real `celery beat` (database scheduler) next to the real worker: /healthz sees the beat and every queue."""
    import subprocess
    import sys

    from core import health
    from tests.worker import BASE_DIR, _stop_with_the_test_run, worker_environment

    log = tmp_path / "beat.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
    command += ["--schedule", str(tmp_path / "beat-schedule"), "--pidfile", ""]
    with log.open("w") as out:
        beat = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            # heartbeats every 2 s instead of 30, so that the first ones come within the wait
            env={**worker_environment(tmp_path / "media"), "WORKER_HEARTBEAT_SECONDS": "2"},
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_stop_with_the_test_run,
        )
    try:
        seen = lambda: set(WorkerHeartbeat.objects.values_list("worker", flat=True))  # noqa: E731
        expected = {health.BEAT, *(health.QUEUE_PREFIX + queue for queue in health.queue_names())}
        worker.wait_until(lambda: expected <= seen(), f"the beat's tick and every queue's heartbeat ({log})")
    finally:
        beat.terminate()
        beat.wait(timeout=15)
    body = client.get("/healthz").json()
    assert body["checks"]["beat"]["status"] == "ok"
    assert all(check["status"] == "ok" for check in body["checks"]["queues"].values())
