"""The test run's own environment: each pytest-xdist process on its own broker."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.worker import BASE_DIR


def _broker_seen_by(xdist_worker: str, inherited: dict[str, str]) -> str:
    env = {**os.environ, **inherited, "PYTEST_XDIST_WORKER": xdist_worker}
    code = "import os, tests.testenv; print(os.environ['CELERY_BROKER_URL'])"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_an_xdist_process_uses_its_own_broker_whatever_the_controller_left_in_its_environment():
    # given what the controller's environment holds once tests.testenv ran in it, before it spawns the workers
    inherited = {"REDIS_URL": "redis://127.0.0.1:6379/15", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"}

    # then each worker's broker is its own Redis database, so no Celery worker takes another process's tasks
    assert _broker_seen_by("gw0", inherited) == "redis://127.0.0.1:6379/0"
    assert _broker_seen_by("gw1", inherited) == "redis://127.0.0.1:6379/1"
