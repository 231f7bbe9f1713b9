from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture
def message_templates(settings) -> Path:
    """Adds tests/core/templates, which holds messages/test_notice.txt, to the template search path."""
    engines = [dict(engine) for engine in settings.TEMPLATES]
    engines[0]["DIRS"] = [*engines[0]["DIRS"], TEMPLATES_DIR]
    settings.TEMPLATES = engines
    return TEMPLATES_DIR


@pytest.fixture
def eager_celery() -> Iterator[Celery]:
    """Tasks queued with .delay() run at once, in this process, and raise their errors."""
    from config.celery import app

    saved = {name: app.conf[name] for name in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        yield app
    finally:
        app.conf.update(saved)
