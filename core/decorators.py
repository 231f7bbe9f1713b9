from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required


def staff_permission_required(*perms: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Anonymous visitors go to the login page; logged-in users without `perms` get a 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        return login_required(permission_required(list(perms), raise_exception=True)(view))

    return decorate
