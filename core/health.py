"""What /healthz checks, on the connections the process already holds.

A load balancer asks every few seconds, so a check must cost about what any
request costs: one query on the request's (persistent) database connection, and
one PING on a Redis connection kept open between checks, never a new TCP
connection and handshake per check. A broken connection is dropped and the next
check connects again.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat

# A check never hangs the load balancer's probe: unreachable services fail fast.
BROKER_TIMEOUT_SECONDS = 2
# How the kept connection shows in Redis's CLIENT LIST (followed by the process id).
BROKER_CLIENT_NAME = "gdpr-crm-health"

Check = dict[str, Any]


def database_and_worker_checks() -> tuple[Check, Check]:
    """The database (reachable) and the worker heartbeat (its age), from one query."""
    try:
        beat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("worker", "seen_at").first()
    except Exception as exc:  # noqa: BLE001 - health reports, never raises
        error = {"status": "error", "error": exc.__class__.__name__}
        return error, error
    return {"status": "ok"}, _worker_check(beat)


def _worker_check(beat: tuple[str, Any] | None) -> Check:
    if beat is None:
        return {"status": "missing"}
    worker, seen_at = beat
    age = (timezone.now() - seen_at).total_seconds()
    fresh = age <= max(3 * settings.WORKER_HEARTBEAT_SECONDS, 90)
    return {"status": "ok" if fresh else "stale", "last_seen_seconds": round(age), "worker": worker}


def broker_client_name() -> str:
    return f"{BROKER_CLIENT_NAME}-{os.getpid()}"


@lru_cache(maxsize=4)
def _redis_client(url: str, pid: int) -> Any:
    """One client per broker URL and process; its pool keeps the socket open."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        client_name=broker_client_name(),
        retry=Retry(NoBackoff(), 1),  # a connection the server closed is reopened once, at once
    )


def broker_check() -> Check:
    """A PING on the kept Redis connection; other brokers (the embedded one) through kombu."""
    from config.celery import app

    url = app.conf.broker_write_url or ""
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            _redis_client(url, os.getpid()).ping()
        else:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - health reports, never raises
        return {"status": "error", "error": exc.__class__.__name__}


def health_report() -> tuple[dict[str, Any], bool]:
    """The /healthz body and whether the critical services (database, broker) are up."""
    database, worker = database_and_worker_checks()
    checks = {"database": database, "broker": broker_check(), "worker": worker}
    critical_ok = database["status"] == "ok" and checks["broker"]["status"] == "ok"
    overall = "ok" if critical_ok and worker["status"] == "ok" else ("degraded" if critical_ok else "error")
    return {"status": overall, "checks": checks, "time": timezone.now().isoformat()}, critical_ok
