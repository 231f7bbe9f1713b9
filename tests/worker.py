"""A real Celery worker on Redis, against the test database, for the tests marked `worker`.

The worker is a subprocess with the test process's keys, database and media folder,
so what a test commits (`transactional_db`) is what the worker sees, and the reverse.
It consumes every queue of `config/celery.py`. One worker serves all the tests of a
module (the `worker` fixture in tests/conftest.py): starting one costs seconds, and
a module keeps it away from the tests that expect queued tasks to stay queued.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
WAIT_SECONDS = 30


def worker_queues() -> list[str]:
    from config.celery import app

    return [queue.name for queue in app.conf.task_queues]


def _database_url() -> str:
    db = connection.settings_dict  # NAME is already the test database's (per xdist worker, too)
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_environment(media_root: Path) -> dict[str, str]:
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
        "MEDIA_ROOT": str(media_root),
        "CONN_MAX_AGE": "0",
    }


def _stop_with_the_test_run() -> None:
    """A worker outliving a killed test run would take the next run's tasks: it gets SIGTERM with its parent."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_worker_process(log: IO[str], queues: str, name: str, **settings_env: str) -> subprocess.Popen[bytes]:
    """A worker of its own on `queues` (a test that kills or times it), its output in `log`.

    `settings_env` overrides settings through the environment, as RETENTION_PURGE_BATCH_SIZE="5".
    """
    env = {**worker_environment(Path(settings.MEDIA_ROOT)), **settings_env}
    argv = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues, "--pool=solo", "-c", "1"]
    argv += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}-{os.getpid()}@%h"]
    return subprocess.Popen(argv, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


@dataclass
class RealWorker:
    process: subprocess.Popen[bytes]
    log: Path
    media_root: Path

    @classmethod
    def start(cls, folder: Path, name: str) -> RealWorker:
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "worker tests need the Redis broker"
        from config.celery import app

        app.control.purge()  # tasks queued by earlier tests or an interrupted run must not run here
        media_root = folder / "media"
        media_root.mkdir(parents=True, exist_ok=True)
        log = folder / "worker.log"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", ",".join(worker_queues())]
        command += ["--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += ["-n", f"{name}-{os.getpid()}@%h", "--loglevel=INFO"]
        with log.open("w") as out:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=worker_environment(media_root),
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_stop_with_the_test_run,
            )
        return cls(process=process, log=log, media_root=media_root)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text()

    def wait_until(self, condition: Callable[[], bool], what: str = "the task") -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker stopped ({self.process.returncode}); its log:\n{self.log_text()[-4000:]}")
            time.sleep(0.2)
        pytest.fail(f"{what}: not done within {WAIT_SECONDS}s; worker log:\n{self.log_text()[-4000:]}")
