"""config/gunicorn.py: the master warms the app up and freezes it before forking; workers keep their connections."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from bench import server
from config import gunicorn as gunicorn_config

# Loads the configuration file the way gunicorn does (executed, not imported) and runs the master's hook.
MASTER = """
import gc, json, runpy, django
from unittest import mock
django.setup()
from django.db import connections
from django.template import engines
config = runpy.run_path("config/gunicorn.py")
config["when_ready"](mock.Mock())
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "preload_app": config["preload_app"],
    "frozen": gc.get_freeze_count(),
    "threshold": gc.get_threshold(),
    "collected_after": gc.collect(),
    "templates": sorted(loader.get_template_cache),
    "open_connections": [alias for alias in connections if connections[alias].connection is not None],
}))
"""


def test_the_master_warms_up_then_freezes_before_forking() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "-c", MASTER], capture_output=True, text=True, env=env, check=True)
    state = json.loads(done.stdout.strip().splitlines()[-1])

    assert state["preload_app"] is True
    assert state["frozen"] > 50_000  # Django, the apps and the warmed caches, out of the collector's sight
    assert tuple(state["threshold"]) == gunicorn_config.GC_THRESHOLDS
    assert state["collected_after"] < 1_000  # a full collection right after finds next to nothing
    assert {"crm/contact_list.html", "crm/contact_detail.html", "base.html"} <= set(state["templates"])
    assert state["open_connections"] == []  # nothing a forked worker could share


@pytest.mark.django_db(transaction=True)
def test_workers_are_frozen_and_healthz_keeps_one_database_connection() -> None:
    before = _other_connections()  # a live server or worker left by another test in this process
    with server.gunicorn_server(database_url=server.current_database_url(), workers=1) as running:
        worker = server.get_json(running.base_url, "/__bench__/gc/")
        for _ in range(10):
            assert server.get_json(running.base_url, "/healthz")["checks"]["database"] == {"status": "ok"}
        held = _other_connections()

    assert worker["frozen"] > 50_000
    assert tuple(worker["threshold"]) == gunicorn_config.GC_THRESHOLDS
    assert held - before == 1  # ten checks, one persistent connection (not one per check)


def _other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_workers_collect_their_young_garbage_after_the_response() -> None:
    enabled = gc.isenabled()
    gc.disable()  # no automatic collection may hide what the hook does
    try:
        for _ in range(gunicorn_config.GC_YOUNG_PENDING + 1_000):
            cycle: list = []
            cycle.append(cycle)  # garbage only a collection frees
        del cycle
        pending = gc.get_count()[0]

        gunicorn_config.post_request(None, None, None, None)

        assert pending > gunicorn_config.GC_YOUNG_PENDING
        assert gc.get_count()[0] < 100
    finally:
        if enabled:
            gc.enable()
