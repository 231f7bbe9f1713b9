from __future__ import annotations

import secrets

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone

from crm.dedup.merge import contacts_merge
from crm.models import DuplicateCandidate, Interaction, Organisation, RecipientEndpoint
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
    # A duplicate pair to review, and a merge of two more contacts to undo.
    candidate = DuplicateCandidate.objects.create(contact_a=contacts[1], contact_b=contacts[2], score=9, reasons=[])
    merge = contacts_merge(survivor=ContactFactory(), merged=ContactFactory())
    return {
        "retention": _retention_ids(contacts[0]),
        "requests": [*requests, case.pk],
        "erasure-runs": [run.pk],
        "matched": [contacts[1].pk],
        "duplicates": [candidate.pk],
        "merges": [merge.pk],
        "contacts": [contact.pk for contact in contacts],
        "organisations": list(Organisation.objects.values_list("pk", flat=True)),
        "interactions": list(Interaction.objects.values_list("pk", flat=True)),
        "recipient-webhooks": [
            RecipientEndpoint.objects.create(
                recipient="Mailing tool", url="https://93.184.216.34/hook", secret="a-secret-of-sixteen+"
            ).pk
        ],
    }


def _retention_ids(contact) -> list[int]:
    """Policies, a previewed run and a hold: small ids the retention endpoints share."""
    from datetime import timedelta

    from retention.defaults import default_policies_load
    from retention.models import RetentionPolicy
    from retention.services import legal_hold_place, purge_run_preview

    from ..factories import UserFactory

    if not RetentionPolicy.objects.filter(key="deleted-contacts").exists():
        default_policies_load()  # as migrated: an earlier transactional test's flush removed them
    run = purge_run_preview(policy=RetentionPolicy.objects.get(key="deleted-contacts"))
    hold = legal_hold_place(
        owner=UserFactory(), reason="Claim", ends_on=timezone.localdate() + timedelta(days=9), contact=contact
    )
    return sorted({*RetentionPolicy.objects.values_list("pk", flat=True), run.pk, hold.pk})


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
