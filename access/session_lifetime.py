"""Staff sessions end after SESSION_IDLE_TIMEOUT without a request and SESSION_ABSOLUTE_LIFETIME after sign-in.

Both moments live in the session (epoch seconds). The last-seen time is written at most once a minute,
so a busy page does not save the session on every request. A disabled account or a changed password ends
the session at the next request already: Django's AuthenticationMiddleware refuses an inactive user and
a session whose password hash no longer matches (tests/access/test_sessions.py proves both).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

STARTED = "_auth_started_at"
SEEN = "_auth_seen_at"
SEEN_RESOLUTION = 60  # seconds


@receiver(user_logged_in)
def _session_started(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[STARTED] = now
        request.session[SEEN] = now


def session_expiry(session: Any, now: float) -> str | None:
    """ "idle" or "absolute" when the signed-in session is over, else None."""
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is not None and now - started > settings.SESSION_ABSOLUTE_LIFETIME:
        return "absolute"
    if seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = time.time()
        ended = session_expiry(request.session, now)
        if ended is not None:
            logout(request)
            if ended == "idle":
                messages.info(request, _("You were signed out after a period without activity. Please sign in again."))
            else:
                messages.info(request, _("Your session has reached its maximum length. Please sign in again."))
            return
        request.session.setdefault(STARTED, now)
        if now - request.session.get(SEEN, 0) >= SEEN_RESOLUTION:
            request.session[SEEN] = now
