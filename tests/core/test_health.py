"""/healthz: database and broker are critical, the worker heartbeat is reported."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _health(client):
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_reports_database_and_broker_ok_and_worker_missing(client):
    status, body = _health(client)

    assert status == 200
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["broker"] == {"status": "ok"}
    assert body["checks"]["worker"] == {"status": "missing"}
    assert body["status"] == "degraded"


def test_reports_ok_with_a_fresh_heartbeat(client):
    WorkerHeartbeat.objects.create(worker="worker-1", seen_at=timezone.now())

    status, body = _health(client)

    assert status == 200
    assert body["checks"]["worker"]["status"] == "ok"
    assert body["checks"]["worker"]["worker"] == "worker-1"
    assert body["status"] == "ok"


def test_reports_a_stale_heartbeat(client):
    WorkerHeartbeat.objects.create(worker="worker-1", seen_at=timezone.now() - timedelta(hours=1))

    status, body = _health(client)

    assert status == 200
    assert body["checks"]["worker"]["status"] == "stale"
    assert body["status"] == "degraded"


def test_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    # Celery reads this variable before its own settings; nothing listens on port 1.
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", "redis://127.0.0.1:1/0")

    status, body = _health(client)

    assert status == 503
    assert body["checks"]["broker"]["status"] == "error"
    assert body["status"] == "error"


def test_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
