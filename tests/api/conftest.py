from __future__ import annotations

import secrets

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from ..factories import ContactFactory


@pytest.fixture
def existing_ids(db: None) -> list[int]:
    """A few contacts for generated ids to land on."""
    return [contact.pk for contact in ContactFactory.create_batch(5)]


@pytest.fixture
def session_credentials(dpo_user: AbstractBaseUser) -> dict[str, dict[str, str]]:
    """Cookies and headers that authenticate a raw WSGI request as the DPO.

    The API authenticates staff by session and, for writes, wants the CSRF
    cookie echoed in X-CSRFToken; an unmasked 32-character secret is accepted
    in both places.
    """
    client = Client()
    client.force_login(dpo_user)
    csrf_secret = secrets.token_hex(16)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf_secret},
        "headers": {"X-CSRFToken": csrf_secret},
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Name each schemathesis item after its operation, e.g. `test_api[PATCH /api/v1/contacts/{id}/]`.

    schemathesis 4.32 gives its items the right name but, under pytest 9, the bare
    function's node id, so every operation would be reported under one id.
    """
    from _pytest.nodeid import NodeId
    from schemathesis.pytest.plugin import SchemathesisFunction

    for item in items:
        if isinstance(item, SchemathesisFunction) and item.name != item.originalname:
            operation = item.name.removeprefix(f"{item.originalname}[").removesuffix("]")
            item._id = NodeId(
                path=item.parent.id.path, names=(*item.parent.id.names, item.originalname), params=operation
            )
