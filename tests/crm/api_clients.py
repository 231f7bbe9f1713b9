"""REST API clients for the API tests: one per staff user (session) or per API key."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from access.apikeys import api_key_create
from access.models import ApiKey


def staff_api(user: AbstractBaseUser) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def key_api(*scopes: str, name: str = "Newsletter tool") -> tuple[ApiKey, APIClient]:
    key, plaintext = api_key_create(name=name, scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    return key, client
