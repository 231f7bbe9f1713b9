"""The public privacy notice (Arts. 13 and 14): the approved register, read out to the people it concerns."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ..notice import notice_context


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """No login; the language is the browser's (Accept-Language, or the language cookie) among the site's."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = render(request, "registry/privacy_notice.html", {**notice_context(), "language": language})
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response
