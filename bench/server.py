"""The app under gunicorn with its production configuration on loopback, and a bounded load client.

`gunicorn_server()` starts `gunicorn -c config/gunicorn.py bench.wsgi` (the project's
WSGI application, DEBUG off, the bench's baseline views added) bound to 127.0.0.1 on a
free port in 18100-18199, and stops it afterwards. `measure()` sends a fixed number of
GET requests with a fixed number of concurrent clients (asyncio and httpx), interleaving
the targets in short rounds so that a burst of load from elsewhere on the machine hits
all of them alike.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common

PORTS = range(18100, 18200)
READY_TIMEOUT_SECONDS = 90
REQUEST_TIMEOUT_SECONDS = 60


def free_port(ports: range = PORTS) -> int:
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def server_environment(*, database_url: str, port: int, workers: int) -> dict[str, str]:
    """Production settings (DEBUG off) on the given database; the broker on Redis when REDIS_URL says where."""
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback: TLS ends at the load balancer in production
        "CELERY_BROKER_URL": broker,
        "WEB_CONCURRENCY": str(workers),
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def current_database_url() -> str:
    """The URL of the database this process uses (the test database under pytest)."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def gunicorn_server(*, database_url: str, workers: int = 2) -> Iterator[Server]:
    """A running server (ready to answer) for the duration of the block."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "bench.wsgi"],
            cwd=common.ROOT,
            env=server_environment(database_url=database_url, port=port, workers=workers),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(base_url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        _stop(process)
        log.unlink(missing_ok=True)


def _wait_until_ready(server: Server) -> None:
    import httpx

    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.base_url}/__bench__/nodb/", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {READY_TIMEOUT_SECONDS} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --------------------------------------------------------------------------- load


@dataclass
class Target:
    """GET requests cycling through `urls`, with `cookies` (a session) or none, and `headers` (an API key)."""

    name: str
    urls: list[str]
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)  # ms, one per request
    seconds: float = 0.0  # wall time of this target's rounds

    @property
    def requests_per_second(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0


def measure(
    base_url: str, targets: list[Target], *, requests: int, concurrency: int, chunk: int = 20, warmup: int = 10
) -> list[Target]:
    """`requests` timed requests per target, `concurrency` at a time, in interleaved rounds of `chunk`."""
    measurement = _measure(base_url, targets, requests, concurrency, chunk, warmup)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop in this thread: the usual case
        asyncio.run(measurement)
    else:  # a loop already runs here (a caller's, such as Playwright's sync API in a test process): use a thread
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, measurement).result()
    return targets


async def _measure(
    base_url: str, targets: list[Target], requests: int, concurrency: int, chunk: int, warmup: int
) -> None:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients = {
        target.name: httpx.AsyncClient(
            base_url=base_url,
            cookies=target.cookies,
            headers=target.headers,
            limits=limits,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        for target in targets
    }
    try:
        for target in targets:
            await _burst(clients[target.name], target, warmup, concurrency, record=False)
        done = 0
        while done < requests:
            size = min(chunk, requests - done)
            for target in targets:
                await _burst(clients[target.name], target, size, concurrency, record=True)
            done += size
    finally:
        for client in clients.values():
            await client.aclose()


async def _burst(client: Any, target: Target, count: int, concurrency: int, *, record: bool) -> None:
    """`count` requests of `target`, at most `concurrency` in flight; samples and wall time when `record`."""
    position = len(target.samples)
    pending = iter(range(count))

    async def one_client() -> None:
        for index in pending:
            url = target.urls[(position + index) % len(target.urls)]
            started = time.perf_counter()
            response = await client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{target.name}: GET {url} answered {response.status_code}")
            if record:
                target.samples.append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(min(concurrency, count))))
    if record:
        target.seconds += time.perf_counter() - started


def get_json(base_url: str, path: str, cookies: dict[str, str] | None = None) -> Any:
    import httpx

    response = httpx.get(f"{base_url}{path}", cookies=cookies or {}, timeout=REQUEST_TIMEOUT_SECONDS)
    response.raise_for_status()
    return response.json()
