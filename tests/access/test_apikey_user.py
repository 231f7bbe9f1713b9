"""API keys at the edges: the caller behind a key (core/authentication.py) and the key's shape, state and last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import exceptions

from access.apikeys import (
    KeyRejected,
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    parse_key,
    scope_permissions,
)
from access.authentication import ApiKeyAuthentication, ApiKeyUser

pytestmark = pytest.mark.django_db


def test_a_key_user_is_named_after_its_key_and_equal_only_to_the_same_key():
    key = api_key_create(name="Newsletter tool", scopes=["contacts:read"])[0]
    other = api_key_create(name="Sync", scopes=["contacts:read"])[0]
    user = ApiKeyUser(key)

    assert user.username == user.get_username() == str(user) == str(key)
    assert user == ApiKeyUser(key) and hash(user) == hash(ApiKeyUser(key))
    assert user != ApiKeyUser(other) and hash(user) != hash(ApiKeyUser(other))
    assert user != key
    assert (user.pk, user.is_authenticated, user.is_staff, user.is_superuser) == (None, True, False, False)


def test_a_key_user_has_exactly_the_permissions_of_its_scopes():
    user = ApiKeyUser(api_key_create(name="Reader", scopes=["contacts:read"])[0])

    assert user.get_all_permissions() == set(scope_permissions(["contacts:read"]))
    assert user.has_perm("crm.view_contact") and not user.has_perm("crm.change_contact")
    assert user.has_perms(["crm.view_contact"]) and not user.has_perms(["crm.view_contact", "crm.change_contact"])
    assert user.has_module_perms("crm") and not user.has_module_perms("core")
    assert not user.groups.exists() and not user.user_permissions.exists()


def test_a_key_that_is_not_ascii_is_refused_with_a_clear_message():
    with pytest.raises(exceptions.AuthenticationFailed) as refused:
        ApiKeyAuthentication._decode("clé".encode())
    assert str(refused.value.detail) == "Invalid API key."


@pytest.mark.parametrize(
    ("raw_key", "prefix"),
    [
        ("crm_abcd1234_" + "s" * 32, "abcd1234"),  # the shortest secret accepted
        ("crm_abcd1234_" + "s" * 31, None),
        ("crm_abcd1234_" + "s" * 30, None),
        ("xrm_abcd1234_" + "s" * 43, None),
        ("crm_abcd1234-" + "s" * 43, None),
        ("crm_ABCD1234_" + "s" * 43, None),
    ],
)
def test_parse_key_accepts_only_the_documented_shape(raw_key, prefix):
    assert parse_key(raw_key) == prefix


def test_a_revoked_or_expired_key_is_refused_saying_which():
    revoked, revoked_plaintext = api_key_create(name="Old", scopes=["contacts:read"])
    api_key_revoke(api_key=revoked, reason="leaked")
    _expiring, expiring_plaintext = api_key_create(name="Trial", scopes=["contacts:read"], expires_in_days=1)

    with pytest.raises(KeyRejected) as refused:
        api_key_authenticate(revoked_plaintext)
    assert str(refused.value) == "This API key has been revoked."
    with pytest.raises(KeyRejected) as refused:
        api_key_authenticate(expiring_plaintext, at=timezone.now() + timedelta(days=2))
    assert str(refused.value) == "This API key has expired."


def test_last_use_is_recorded_again_once_a_minute_has_passed():
    key, plaintext = api_key_create(name="Sync", scopes=["contacts:read"])
    first = timezone.now()
    api_key_authenticate(plaintext, at=first)
    api_key_authenticate(plaintext, at=first + timedelta(seconds=59))
    key.refresh_from_db()
    assert key.last_used_at == first

    api_key_authenticate(plaintext, at=first + timedelta(minutes=1))
    key.refresh_from_db()
    assert key.last_used_at == first + timedelta(minutes=1)
