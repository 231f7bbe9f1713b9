"""Who is acting: a user, an API key, a job or the system.

Every write is attributed (DESIGN.md invariant 2). The acting party lives in a
context variable that the web middleware, the API-key authentication, Celery's
task hooks and management commands set; history rows and audit events read it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Actor:
    kind: str  # "user", "api_key", "job", "system", "subject"
    label: str
    user_id: int | None = None
    api_key_id: int | None = None

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        return cls(kind="user", label=user.get_username(), user_id=user.pk)

    @classmethod
    def job(cls, name: str) -> Actor:
        return cls(kind="job", label=name)

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(kind="system", label=name)

    @classmethod
    def subject(cls, reference: str) -> Actor:
        """A data subject acting through the public pages (no login)."""
        return cls(kind="subject", label=reference)

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}"


ANONYMOUS = Actor(kind="anonymous", label="anonymous")
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("current_actor", default=ANONYMOUS)


def current_actor() -> Actor:
    return _current.get()


def set_actor(actor: Actor) -> contextvars.Token:
    return _current.set(actor)


def reset_actor(token: contextvars.Token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


class ActorMiddleware:
    """Attributes everything a logged-in request writes to its user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = Actor.for_user(user) if user is not None and user.is_authenticated else ANONYMOUS
        with acting_as(actor):
            return self.get_response(request)
