"""Access logs never carry query strings: a real development server and a real gunicorn each serve a search
by e-mail, and the access log line they write is read back."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.db import connection

from core.accesslog import REDACTED, QueryStringFilter, query_strings_redacted

BASE_DIR = Path(__file__).resolve().parents[2]
# A value that survives URL encoding, so it is found in a `next=` parameter too.
PLANTED = "zq7planted"
SEARCH = f"/contacts/?q={PLANTED}.person%40example.org&status=customer"
REFERER = f"http://127.0.0.1/contacts/?email={PLANTED}.referer%40example.org"


def test_every_query_string_is_replaced_and_the_path_kept():
    line = f'"GET /contacts/?q={PLANTED}@example.org&page=2 HTTP/1.1" 200 512'
    assert query_strings_redacted(line) == f'"GET /contacts/{REDACTED} HTTP/1.1" 200 512'
    assert query_strings_redacted('"GET /contacts/42/ HTTP/1.1" 200 10') == '"GET /contacts/42/ HTTP/1.1" 200 10'


def test_the_filter_rewrites_a_record_with_arguments():
    record = logging.LogRecord("django.server", logging.INFO, "", 0, '"%s" %s %s', (f"GET /?q={PLANTED}", 200, 5), None)
    assert QueryStringFilter().filter(record) is True
    assert PLANTED not in record.getMessage() and REDACTED in record.getMessage()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env() -> dict[str, str]:
    """This test run's environment, pointed at the test database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}


@contextmanager
def _serving(command: list[str], log: Path) -> Iterator[int]:
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [arg.format(port=port) for arg in command], cwd=BASE_DIR, env=_server_env(), stdout=out, stderr=out
        )
        try:
            _wait_until_listening(port, process)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_until_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _search(port: int) -> None:
    """The search, then the login page it redirects to (whose `next=` repeats the search)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{SEARCH}", headers={"Referer": REFERER})
    with suppress(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=30).read()


def _send_a_malformed_request(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET /contacts/?q={PLANTED}@example.org\r\nHost: x\r\n\r\n".encode())
        sock.recv(1024)


def _read_log(log: Path, last: str) -> str:
    """The log, once it holds `last` (or after 20 s)."""
    deadline = time.monotonic() + 20
    while last not in (text := log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return text


@pytest.mark.django_db
def test_the_development_server_logs_the_search_without_its_query_string(tmp_path):
    log = tmp_path / "runserver.log"
    command = [sys.executable, "manage.py", "runserver", "127.0.0.1:{port}", "--noreload", "--skip-checks"]
    with _serving(command, log) as port:
        _search(port)
        text = _read_log(log, '"GET /login/')

    assert f'"GET /contacts/{REDACTED} HTTP/1.1" 302' in text
    assert f"/login/{REDACTED}" in text
    assert PLANTED not in text, text


@pytest.mark.django_db
def test_gunicorn_logs_the_search_and_its_referer_without_query_strings(tmp_path):
    log = tmp_path / "gunicorn.log"
    command = [
        *(sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"),
        *("--bind", "127.0.0.1:{port}", "--workers", "1", "config.wsgi"),
    ]
    with _serving(command, log) as port:
        _search(port)
        _send_a_malformed_request(port)
        text = _read_log(log, "Invalid HTTP request line")

    assert f'"GET /contacts/{REDACTED} HTTP/1.1" 302' in text
    assert f'"http://127.0.0.1/contacts/{REDACTED}"' in text  # the Referer
    assert f"Invalid HTTP request line: 'GET /contacts/{REDACTED}'" in text  # the error log, too
    assert PLANTED not in text, text
