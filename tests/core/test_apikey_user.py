"""The caller behind an API key (core/authentication.py): who it says it is and what its scopes let it do."""

from __future__ import annotations

import pytest
from rest_framework import exceptions

from core.apikeys import api_key_create, scope_permissions
from core.authentication import ApiKeyAuthentication, ApiKeyUser

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
