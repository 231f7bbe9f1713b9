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


# Heartbeat rows: "queue:<name>" per Celery queue (a worker consumed the queue's heartbeat task), "beat" (the
# scheduler published a task); other rows name a worker host (core.tasks.heartbeat).
QUEUE_PREFIX = "queue:"
BEAT = "beat"


def silent_after_seconds() -> int:
    """A worker or the beat silent for longer than this is reported stale (and the staff pages show a banner)."""
    return settings.HEALTH_SILENT_MINUTES * 60


def database_and_worker_checks() -> tuple[Check, Check, Check, Check]:
    """The database (reachable), the latest worker heartbeat, each queue's and the beat's, from one query."""
    try:
        rows = list(WorkerHeartbeat.objects.order_by("-seen_at").values_list("worker", "seen_at")[:50])
    except Exception as exc:  # noqa: BLE001 - health reports, never raises
        error = {"status": "error", "error": exc.__class__.__name__}
        return error, error, error, error
    hosts = [row for row in rows if not row[0].startswith(QUEUE_PREFIX) and row[0] != BEAT]
    seen = dict(rows)
    queues = {name: _age_check(seen.get(QUEUE_PREFIX + name)) for name in queue_names()}
    return {"status": "ok"}, _worker_check(hosts[0] if hosts else None), queues, _age_check(seen.get(BEAT))


def queue_names() -> list[str]:
    from config.celery import app

    return [queue.name for queue in app.conf.task_queues]


def _age_check(seen_at: Any) -> Check:
    if seen_at is None:
        return {"status": "missing"}
    age = (timezone.now() - seen_at).total_seconds()
    status = "ok" if age <= silent_after_seconds() else "stale"
    return {"status": status, "last_seen_seconds": round(age), "last_seen": seen_at.isoformat()}


def _worker_check(beat: tuple[str, Any] | None) -> Check:
    if beat is None:
        return {"status": "missing"}
    worker, seen_at = beat
    age = (timezone.now() - seen_at).total_seconds()
    fresh = age <= max(3 * settings.WORKER_HEARTBEAT_SECONDS, 90)
    return {"status": "ok" if fresh else "stale", "last_seen_seconds": round(age), "worker": worker}


def silent_services() -> list[str]:
    """Queues whose worker and/or the beat silent for more than HEALTH_SILENT_MINUTES (the staff banner).

    A queue never heard of counts as silent once the beat (or some queue) has been heard of: an
    installation that never started Celery (development without a worker) shows no banner, but /healthz
    still reports every check "missing".
    """
    _database, _worker, queues, beat = database_and_worker_checks()
    checks = {**{f"{QUEUE_PREFIX}{name}": check for name, check in queues.items()}, BEAT: beat}
    if all(check["status"] in ("missing", "error") for check in checks.values()):
        return []
    return sorted(name for name, check in checks.items() if check["status"] != "ok")


def heartbeat_record(*, name: str) -> None:
    """Touch the heartbeat row `name` ("queue:<queue>", "beat" or a worker host)."""
    WorkerHeartbeat.objects.update_or_create(worker=name[:200], defaults={"seen_at": timezone.now()})


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
    database, worker, queues, beat = database_and_worker_checks()
    checks = {"database": database, "broker": broker_check(), "worker": worker, "queues": queues, "beat": beat}
    critical_ok = database["status"] == "ok" and checks["broker"]["status"] == "ok"
    workers_ok = worker["status"] == "ok" and beat["status"] == "ok"
    workers_ok = workers_ok and all(check["status"] == "ok" for check in queues.values())
    overall = "ok" if critical_ok and workers_ok else ("degraded" if critical_ok else "error")
    return {"status": overall, "checks": checks, "time": timezone.now().isoformat()}, critical_ok


def health_banner(request: Any) -> dict[str, Any]:
    """Context processor: the queues and beat silent too long, for the staff who watch them (dashboard readers)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("access.access_dashboard"):
        return {}
    from django.utils.functional import SimpleLazyObject

    return {"silent_services": SimpleLazyObject(silent_services)}
