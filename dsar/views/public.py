"""The public request form (/privacy/request/) and its verification link (DSR-01, DESIGN invariant 4).

No login. The form answers the same page, status and headers whether anyone in
the CRM holds the address or not: it never looks it up, and the only message
(the verification link) leaves from the outbox. The language is the one the
person picks (`?lang=`), else the browser's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.client import client_address

from .. import ratelimit, services
from ..forms import PublicRequestForm

LANGUAGE_PARAM = "lang"


def public_language(request: HttpRequest) -> str:
    chosen = request.POST.get(LANGUAGE_PARAM) or request.GET.get(LANGUAGE_PARAM)
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return translation.get_language_from_request(request)


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    language: str,
    status: int = 200,
    referrer_policy: str = "same-origin",
) -> HttpResponse:
    with translation.override(language):
        response = render(
            request,
            template,
            {**context, "language": language, "languages": settings.LANGUAGES, "path": request.path},
            status=status,
        )
    response["Content-Language"] = language
    # The verification pages keep their token to themselves; the form must keep its origin, or the browser's
    # POST says `Origin: null` and the CSRF check refuses it.
    response["Referrer-Policy"] = referrer_policy
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    language = public_language(request)
    if request.method == "GET":
        return _render(request, "dsar/public_form.html", {"form": PublicRequestForm()}, language)
    ip = client_address(request)
    if not ratelimit.allowed("ip", ip, limit=settings.DSAR_FORM_LIMIT_PER_IP_PER_HOUR, window=ratelimit.HOUR):
        return _render(request, "dsar/public_message.html", {"outcome": "throttled"}, language, status=429)
    with translation.override(language):
        form = PublicRequestForm(request.POST)
        valid = form.is_valid()
    if not valid:
        return _render(request, "dsar/public_form.html", {"form": form}, language)
    data = form.cleaned_data
    # Beyond the per-address limit, and for robots, the answer is the same; nothing is stored or sent.
    if not form.is_robot and ratelimit.allowed(
        "address", data["email"], limit=settings.DSAR_FORM_LIMIT_PER_ADDRESS_PER_DAY, window=ratelimit.DAY
    ):
        services.submission_receive(
            rights=data["rights"], name=data["name"], email=data["email"], details=data["details"], language=language
        )
    return _render(request, "dsar/public_message.html", {"outcome": "sent"}, language)


@csrf_exempt  # the signed token in the address is the credential a forger lacks; the page sets no cookie
@require_http_methods(["GET", "POST"])
def request_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links; only a person confirms); POST creates the request."""
    language = public_language(request)
    if request.method == "GET":
        return _render(request, "dsar/public_verify.html", {"token": token}, language, referrer_policy="no-referrer")
    try:
        created = services.submission_verify(signed_token=token)
    except services.VerificationFailed:
        return _render(
            request, "dsar/public_message.html", {"outcome": "invalid"}, language, 410, referrer_policy="no-referrer"
        )
    context = {"outcome": "verified", "case": created}
    return _render(request, "dsar/public_message.html", context, language, referrer_policy="no-referrer")
