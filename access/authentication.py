"""REST API authentication by API key (`Authorization: Api-Key <key>` or `X-API-Key: <key>`).

A key authenticates as an `ApiKeyUser`: authenticated, but no Django user. Its
`has_perm` answers from the key's scopes, so model-permission checks and
`Contact.objects.restrict(user, action)` treat keys like any caller. Everything
written during the request is attributed to the key (history rows, audit events).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models.manager import EmptyManager
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from core.actors import Actor, set_actor

from .apikeys import KeyRejected, api_key_authenticate, scope_permissions
from .models import ApiKey

KEYWORD = "Api-Key"
HEADER = "X-API-Key"


class ApiKeyUser:
    """The caller behind an API key: authenticated, not a Django user, permissions from the key's scopes."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    _groups = EmptyManager(Group)
    _user_permissions = EmptyManager(Permission)

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.username = str(api_key)
        self._permissions = scope_permissions(api_key.scopes)

    def __str__(self) -> str:
        return self.username

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKeyUser) and other.api_key.pk == self.api_key.pk

    def __hash__(self) -> int:
        return hash(("api_key", self.api_key.pk))

    @property
    def groups(self) -> EmptyManager:
        return self._groups

    @property
    def user_permissions(self) -> EmptyManager:
        return self._user_permissions

    def get_username(self) -> str:
        return self.username

    def get_all_permissions(self, obj: Any = None) -> set[str]:
        return set(self._permissions)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return perm in self._permissions

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self._permissions)


class ApiKeyAuthentication(BaseAuthentication):
    """Reads the key from `Authorization: Api-Key <key>`, else from `X-API-Key`.

    No key: not this scheme (the next class, the session, may apply). A key that
    is malformed, unknown, revoked or expired: 401 with a message saying which.
    """

    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKey] | None:
        raw_key = self._raw_key(request)
        if raw_key is None:
            return None
        try:
            key = api_key_authenticate(raw_key)
        except KeyRejected as rejected:
            raise exceptions.AuthenticationFailed(str(rejected)) from None
        # ActorMiddleware resets the actor when the response leaves.
        set_actor(Actor(kind="api_key", label=str(key), api_key_id=key.pk))
        return ApiKeyUser(key), key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate), not 403, when credentials are missing or bad.
        return KEYWORD

    def _raw_key(self, request: Request) -> str | None:
        words = get_authorization_header(request).split()
        if words and words[0].lower() == KEYWORD.lower().encode():
            if len(words) != 2:
                raise exceptions.AuthenticationFailed(gettext("Invalid API key header: send 'Api-Key <key>'."))
            return self._decode(words[1])
        header = request.META.get("HTTP_X_API_KEY")
        if header is None:
            return None
        if not header.strip():
            raise exceptions.AuthenticationFailed(gettext("Invalid API key header: the X-API-Key header is empty."))
        return header.strip()

    @staticmethod
    def _decode(value: bytes) -> str:
        try:
            return value.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(gettext("Invalid API key.")) from None
