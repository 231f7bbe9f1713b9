"""Tasks through a real Celery worker on Redis, against the test database.

The worker is a subprocess with the test process's keys and database, so what
this test commits (transactional_db) is what the worker sees, and the reverse.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.models import OutboxMessage, OutboxStatus, WorkerHeartbeat
from core.outbox import message_send
from core.tasks import heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
WAIT_SECONDS = 30


def _database_url() -> str:
    db = connection.settings_dict  # NAME is already the test database's
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _worker_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENV_FILE": os.devnull,
        "DEBUG": "true",
        "TESTING": "true",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "CONN_MAX_AGE": "0",
    }


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[Path]:
    """A solo-pool worker consuming the default queue; yields the path of its log."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the worker test needs the Redis broker"
    from config.celery import app

    app.control.purge()  # tasks left by an interrupted run must not run against this database
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "default",
                "--pool=solo",
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"tests-{os.getpid()}@%h",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=_worker_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until(condition: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"not done within {WAIT_SECONDS}s; worker log:\n{log.read_text()[-4000:]}")


def test_worker_runs_the_heartbeat_and_delivers_the_outbox(worker, message_templates, contact, client):
    # given a committed message (its delivery is queued on commit) and a heartbeat request
    message = message_send(
        to="worker.test@example.org",
        template="test_notice",
        context={"name": "Ana", "reference": "W-1"},
        contact=contact,
    )
    heartbeat.delay()

    # then the worker records its heartbeat and sends the message
    _wait_until(lambda: WorkerHeartbeat.objects.exists(), worker)
    _wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT, worker)

    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "")
    assert message.history.filter(history_actor_kind="job", history_actor_label="core.tasks.deliver_message").exists()
    assert "W-1" in worker.read_text()  # the console backend printed the decrypted subject
    assert client.get("/healthz").json()["checks"]["worker"]["status"] == "ok"
