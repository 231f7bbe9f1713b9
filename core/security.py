"""Security headers on every answer: a strict Content-Security-Policy, Permissions-Policy, no-store.

Every response gets `POLICY` unless its view name has a policy of its own in `POLICIES_BY_VIEW_NAME`.
The middleware sits right after WhiteNoise (static files keep their long cache) and before every
other middleware, so answers that a middleware gives on its own (a refused NUL byte, a CSRF failure,
a redirect to the login page) and error pages (403, 404, 500) carry the same headers as the pages.
`Referrer-Policy` comes from Django's SecurityMiddleware (SECURE_REFERRER_POLICY).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)

# drf-spectacular's SpectacularSwaggerSplitView loads Swagger UI from our static files (the sidecar) and its
# init script from `?script=`, so no script is inline. The one inline bit is the <style> block in
# drf_spectacular/templates/drf_spectacular/swagger_ui.html, allowed by its hash (not 'unsafe-inline');
# tests/core/test_security.py recomputes the hash from the installed template, so an upgrade that edits the
# block fails there. Swagger UI sets styles through the DOM (allowed) and fetches the schema from this origin;
# its icons are data: images. Everything else is refused: the auth dialog's form never navigates (it calls
# preventDefault), so form-action is 'none'.
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
API_DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; "
    f"style-src 'self' {SWAGGER_UI_STYLE_HASH}; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _browsable_api_policy() -> str:
    """The site policy plus the inline styles of DRF's browsable API, each allowed by its hash.

    Its scripts are static files (the CSRF token travels in a JSON <script> that is
    never run). Its styles are a <style> block of pygments CSS and literal style="…"
    attributes in the templates it renders (allowed with 'unsafe-hashes', which
    covers attributes, never scripts). Both are hashed from the installed packages
    at start-up, so an upgrade of DRF or pygments follows without an edit here.
    """
    from rest_framework.compat import pygments_css
    from rest_framework.renderers import BrowsableAPIRenderer

    css = pygments_css(BrowsableAPIRenderer.code_style)
    hashes = [_sha256(css)] if css else []
    hashes += [_sha256(style) for style in sorted(browsable_api_style_attributes())]
    return POLICY.replace("style-src 'self'", f"style-src 'self' 'unsafe-hashes' {' '.join(hashes)}")


def browsable_api_style_attributes() -> set[str]:
    """The literal style attributes of the templates the browsable API renders (not the admin or login ones)."""
    import rest_framework

    root = Path(rest_framework.__file__).parent / "templates" / "rest_framework"
    templates = [root / "base.html", *root.glob("horizontal/*.html"), *root.glob("filters/*.html")]
    return {style for path in templates for style in re.findall(r'style="([^"{]*)"', path.read_text())}


BROWSABLE_API_POLICY = _browsable_api_policy()

# By view name rather than by path prefix, so the policy follows the view if its URL moves.
POLICIES_BY_VIEW_NAME = {"api-docs": API_DOCS_POLICY}
# Every view of the REST API's namespace: JSON for machines, the browsable API for a browser.
POLICIES_BY_NAMESPACE = {"api": BROWSABLE_API_POLICY}


# No page of the product needs a sensor, a camera or payments: the browser refuses them to every origin.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)


class ContentSecurityPolicyMiddleware:
    """CSP, Permissions-Policy and `Cache-Control: no-store` on every answer that is not a static file.

    no-store on all of them, rather than on a list of pages that show personal data: staff pages, API
    answers and the public pages of a person (preferences, confirmation) all do, and a list would miss
    the next page added. Browsers and proxies then keep no copy on disk after the user signs out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy_for(request))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        patch_cache_control(response, no_store=True, private=True)
        return response


def policy_for(request: HttpRequest) -> str:
    """The policy for the view that answered `request` (known once the URL has been resolved)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return POLICY
    return POLICIES_BY_VIEW_NAME.get(match.view_name) or POLICIES_BY_NAMESPACE.get(match.namespace, POLICY)
