"""A refusal is one line in the console, printed once; a server error keeps its traceback."""

from __future__ import annotations

import io
import logging

import pytest


@pytest.fixture
def console() -> io.StringIO:
    """What the root logger's console handler prints, redirected to a buffer for the test."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_403_prints_one_line_once(role_client, console, settings):
    settings.DEBUG = True  # as under `make run`, where Django's own console handler is live
    for _ in range(3):
        assert role_client("Sales").get("/dashboard/").status_code == 403

    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    assert lines == ["Forbidden (Permission denied): /dashboard/"] * 3
    # and no second copy: Django's own console handler is gone, its records reach the root's only
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").handlers == []


def test_a_server_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger = logging.getLogger("django.request")
        logger.error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})
    assert "Traceback" in console.getvalue() and "RuntimeError: boom" in console.getvalue()
