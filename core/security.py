"""A strict Content-Security-Policy: no inline scripts, assets from our origin only.

Every response gets `POLICY` unless its view name has a policy of its own in `POLICIES_BY_VIEW_NAME`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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

# By view name rather than by path prefix, so the policy follows the view if its URL moves.
POLICIES_BY_VIEW_NAME = {"api-docs": API_DOCS_POLICY}


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy_for(request))
        return response


def policy_for(request: HttpRequest) -> str:
    """The policy for the view that answered `request` (known once the URL has been resolved)."""
    match = getattr(request, "resolver_match", None)
    return POLICIES_BY_VIEW_NAME.get(match.view_name if match else "", POLICY)
