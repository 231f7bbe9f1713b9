from __future__ import annotations

import secrets

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone

from crm.models import Interaction, Organisation
from crm.services import contact_delete, interaction_create
from dsar.models import ErasureRun, Right
from dsar.services import request_register

from ..dsar.fulfil_support import verified_request
from ..factories import ContactFactory


@pytest.fixture
def existing_ids(db: None) -> dict[str, list[int]]:
    """Rows for generated ids to land on, by collection: contacts (one with an organisation and an
    interaction, one soft-deleted), organisations (one with a contact), interactions."""
    acme = Organisation.objects.create(name="Acme")
    Organisation.objects.create(name="Empty Ltd")
    # The first id is the one generated ids land on most (0 is a favourite), so it is the richest contact.
    contacts = [ContactFactory(organisation=acme, phones=["+33 6 12 34 56 78"]), *ContactFactory.create_batch(4)]
    interaction_create(contact=contacts[0], kind="call", occurred_at=timezone.now(), subject="Call", body="Notes")
    contact_delete(contact=contacts[-1])
    requests = [
        request_register(
            rights=["access"],
            name="Requester",
            email=contacts[0].primary_email,
            channel="post",
            received_at=timezone.now(),
        ).pk
    ]
    # A request with every right, matched to a contact, for the fulfilment actions; one erasure run.
    case = verified_request([contacts[1]], rights=[right.value for right in Right])
    run = ErasureRun.objects.create(request=case, contact_ids=[contacts[1].pk], operator_label="dpo")
    return {
        "requests": [*requests, case.pk],
        "erasure-runs": [run.pk],
        "matched": [contacts[1].pk],
        "contacts": [contact.pk for contact in contacts],
        "organisations": list(Organisation.objects.values_list("pk", flat=True)),
        "interactions": list(Interaction.objects.values_list("pk", flat=True)),
    }


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
