"""/healthz: database and broker are critical, the worker heartbeat is reported."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from core import health
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


def _all_alive(at=None):
    """A worker host, every queue's heartbeat and the beat's tick, seen `at` (now by default)."""
    at = at or timezone.now()
    names = ["worker-1", health.BEAT, *(health.QUEUE_PREFIX + name for name in health.queue_names())]
    WorkerHeartbeat.objects.bulk_create([WorkerHeartbeat(worker=name, seen_at=at) for name in names])


def test_reports_ok_with_a_fresh_heartbeat(client):
    _all_alive()

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


def test_checks_the_database_and_the_worker_in_one_query(client, django_assert_num_queries):
    WorkerHeartbeat.objects.create(worker="worker-1", seen_at=timezone.now())

    with django_assert_num_queries(1):
        status, body = _health(client)

    assert (status, body["checks"]["database"], body["checks"]["worker"]["status"]) == (200, {"status": "ok"}, "ok")


def _health_connections() -> list[dict]:
    """This process's kept broker connections, as Redis lists them."""
    return [
        entry
        for entry in redis.Redis.from_url(os.environ["REDIS_URL"]).client_list()
        if entry["name"] == health.broker_client_name()
    ]


def test_pings_the_broker_on_one_kept_connection(client):
    _health(client)
    before = _health_connections()

    for _ in range(5):
        assert _health(client)[1]["checks"]["broker"] == {"status": "ok"}

    assert len(before) == 1
    assert [entry["id"] for entry in _health_connections()] == [before[0]["id"]]


def test_reconnects_when_the_broker_closed_the_kept_connection(client):
    _health(client)
    (kept,) = _health_connections()
    redis.Redis.from_url(os.environ["REDIS_URL"]).client_kill_filter(_id=kept["id"])

    status, body = _health(client)

    assert (status, body["checks"]["broker"]) == (200, {"status": "ok"})
    assert [entry["id"] for entry in _health_connections()] != [kept["id"]]


def test_reports_each_queue_and_the_beat(client):
    _all_alive()
    WorkerHeartbeat.objects.filter(worker="queue:purge").update(seen_at=timezone.now() - timedelta(minutes=11))

    status, body = _health(client)

    assert status == 200
    assert body["checks"]["queues"]["purge"]["status"] == "stale"
    assert body["checks"]["queues"]["default"]["status"] == "ok"
    assert body["checks"]["beat"]["status"] == "ok"
    assert body["status"] == "degraded"


def test_staff_pages_show_a_red_banner_when_a_queue_or_the_beat_is_silent(client, dpo_user):
    client.force_login(dpo_user)
    _all_alive()
    assert 'id="health-banner"' not in client.get("/dashboard/").content.decode()

    # the beat silent for 11 minutes: the banner names it, on the dashboard and on other staff pages
    WorkerHeartbeat.objects.filter(worker=health.BEAT).update(seen_at=timezone.now() - timedelta(minutes=11))
    for url in ("/dashboard/", "/contacts/"):
        page = client.get(url).content.decode()
        banner = page[page.index('id="health-banner"') :]
        assert "<code>beat</code>" in banner[: banner.index("</div>")]
        assert "queue:default" not in banner[: banner.index("</div>")]


def test_no_banner_on_an_installation_that_never_ran_a_worker(client, dpo_user):
    client.force_login(dpo_user)
    assert 'id="health-banner"' not in client.get("/dashboard/").content.decode()
