"""Refuses, with a 400, requests whose address, query string, cookies or form fields carry a NUL character.

PostgreSQL cannot store or compare text holding NUL, and psycopg raises a ValueError when a
query is given one: every search box, filter and form field would turn `%00` into a server
error unless each checked it. Django's form fields refuse NUL, but views and filters that read
`request.GET` directly do not; this middleware refuses it once, before any of them runs.
Multipart bodies (uploads) are not read here: their fields go through forms, which refuse NUL,
and the upload's content is the importer's to check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _carries_nul(texts: Iterable[str]) -> bool:
    return any(NUL in text for text in texts)


def request_carries_nul(request: HttpRequest) -> bool:
    """True when the path, a query or cookie name or value, or a url-encoded form field holds a NUL."""
    parts = [request.path_info, *request.GET.keys(), *request.GET.values(), *request.COOKIES.keys()]
    parts += request.COOKIES.values()
    if request.method == "POST" and request.content_type == FORM_CONTENT_TYPE:
        parts += [*request.POST.keys(), *(value for values in request.POST.lists() for value in values[1])]
    return _carries_nul(parts)


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_carries_nul(request):
            return _bad_request(request)
        return self.get_response(request)


def _bad_request(request: HttpRequest) -> HttpResponse:
    message = _("The request contains a NUL character (%00), which no field accepts.")
    if request.path_info.startswith("/api/"):
        return JsonResponse({"non_field_errors": [message]}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
