"""OpenAPI description of the API-key authentication (imported by AccessConfig.ready)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "access.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        # Swagger UI sends a header apiKey as-is, so the plain X-API-Key header is the one documented for it.
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": (
                "An API key created by an administrator (staff UI, API keys; or `manage.py create_api_key`). "
                "Send it as `X-API-Key: <key>` or `Authorization: Api-Key <key>`. Each key carries scopes "
                "(e.g. contacts:read, contacts:write), may expire, can be revoked, and is throttled on its own. "
                "A missing, unknown, expired or revoked key gets 401; a missing scope gets 403."
            ),
        }
