"""What the contact-area views share: htmx detection, safe redirects, list links."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def redirect_back(request: HttpRequest, fallback: str, *args: Any, **kwargs: Any) -> HttpResponse:
    """Back to the submitted `next` when it is one of our pages, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback, *args, **kwargs)


def query_without(query: QueryDict, *names: str) -> str:
    """The query string minus `names` (the cursor, the sort…), for links that keep the filters."""
    copy = query.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()
