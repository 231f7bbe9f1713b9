"""Attribution for work outside a web request: Celery tasks act as a job."""

from __future__ import annotations

import contextlib
from typing import Any

from celery.signals import task_postrun, task_prerun

from .actors import Actor, reset_actor, set_actor

_tokens: dict[str, Any] = {}


@task_prerun.connect
def _task_acts_as_job(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task_id is not None and task is not None:
        _tokens[task_id] = set_actor(Actor.job(task.name))


@task_postrun.connect
def _task_done(task_id: str | None = None, **kwargs: Any) -> None:
    token = _tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        with contextlib.suppress(ValueError):  # a token from another context (eager mode)
            reset_actor(token)
