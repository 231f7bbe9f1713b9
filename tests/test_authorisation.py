"""Every staff page and API endpoint, for every role: no unauthorised 2xx, no field outside the role's list.

The tables below are the specification. A page or endpoint that is not in them
fails `test_every_page_is_in_the_spec`, so each new URL must be classified.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core import roles
from core.models import OutboxMessage
from crm.imports.services import import_job_create
from crm.models import Organisation, RecipientNotification
from crm.services import interaction_create

from .conftest import OUTSIDER
from .factories import ContactFactory

ADMIN, DPO, SALES, MARKETING, SUPPORT, AUDITOR = (
    roles.ADMINISTRATOR,
    roles.DPO,
    roles.SALES,
    roles.MARKETING,
    roles.SUPPORT,
    roles.AUDITOR,
)
EVERY_ROLE = {ADMIN, DPO, SALES, MARKETING, SUPPORT, AUDITOR}
EDITORS = {ADMIN, DPO, SALES, MARKETING, SUPPORT}
INTERACTION_READERS = {ADMIN, DPO, SALES, SUPPORT, AUDITOR}
INTERACTION_WRITERS = {ADMIN, DPO, SALES, SUPPORT}
IMPORTERS = {ADMIN, DPO, SALES, MARKETING}
REGISTRY_READERS = {ADMIN, DPO, AUDITOR}

# url name -> roles that may open it (GET). Everyone else must not get a 2xx.
PAGES: dict[str, set[str]] = {
    "home": EVERY_ROLE | {OUTSIDER},
    "dashboard": {ADMIN, DPO, AUDITOR},
    "core:outbox_list": {ADMIN, DPO, SUPPORT, AUDITOR},
    "core:outbox_detail": {ADMIN, DPO, SUPPORT, AUDITOR},
    "apikeys:list": {ADMIN},
    "apikeys:create": {ADMIN},
    "apikeys:revoke": {ADMIN},
    "access_review:index": {ADMIN, DPO, AUDITOR},
    "access_review:export": {ADMIN, DPO, AUDITOR},
    "access_review:sign": {ADMIN, DPO},
    "consent:index": {ADMIN, DPO, SALES, MARKETING, AUDITOR},
    "consent:purpose_detail": {ADMIN, DPO, SALES, MARKETING, AUDITOR},
    "consent:purpose_create": {ADMIN, DPO, MARKETING},
    "consent:purpose_edit": {ADMIN, DPO, MARKETING},
    "consent:wording_create": {ADMIN, DPO, MARKETING},
    "consent:wording_edit": {ADMIN, DPO, MARKETING},
    "consent:audience": {ADMIN, DPO, MARKETING},
    "consent:contact_panel": {ADMIN, DPO, SALES, MARKETING, AUDITOR},
    "consent:contact_record": {ADMIN, DPO, SALES, MARKETING},
    "consent:contact_object": {ADMIN, DPO, SALES, MARKETING},  # POST only: a GET answers 405
    "consent:contact_proof": {ADMIN, DPO, SALES, MARKETING, AUDITOR},
    "dsar:index": {ADMIN, DPO, SUPPORT, AUDITOR},
    "registry:index": {ADMIN, DPO, AUDITOR},
    "registry:activity_detail": REGISTRY_READERS,
    "registry:activity_history": REGISTRY_READERS,
    "registry:recipient_list": REGISTRY_READERS,
    "registry:export": REGISTRY_READERS,
    "registry:breach_list": REGISTRY_READERS,
    "registry:breach_detail": REGISTRY_READERS,
    "registry:activity_create": {ADMIN, DPO},
    "registry:activity_edit": {ADMIN, DPO},
    "registry:activity_submit": {ADMIN, DPO},
    "registry:activity_comment": {ADMIN, DPO},
    "registry:recipient_create": {ADMIN, DPO},
    "registry:recipient_edit": {ADMIN, DPO},
    "registry:profile_edit": {ADMIN, DPO},
    "registry:activity_approve": {DPO},
    "registry:activity_request_changes": {DPO},
    "registry:breach_create": {DPO},
    "registry:breach_edit": {DPO},
    "registry:breach_notify": {DPO},
    "registry:breach_link_contacts": {DPO},
    "registry:breach_inform": {DPO},
    "registry:breach_close": {DPO},
    "privacy_notice": EVERY_ROLE | {OUTSIDER},
    "retention:index": {ADMIN, DPO, AUDITOR},
    "retention:run_detail": {ADMIN, DPO, AUDITOR},
    "retention:run_progress": {ADMIN, DPO, AUDITOR},
    "retention:hold_create": {ADMIN, DPO},
    "retention:policy_edit": {DPO},
    "retention:policy_preview": {ADMIN, DPO},
    "retention:run_approve": {DPO},
    "retention:hold_lift": {ADMIN, DPO},
    "retention:archive_open": {DPO},
    "crm:contact_list": EVERY_ROLE,
    "crm:contact_detail": EVERY_ROLE,
    "crm:contact_create": EDITORS,
    "crm:contact_edit": EDITORS,
    "crm:contact_delete": {ADMIN, DPO, SALES},
    "crm:contact_trash": {ADMIN, DPO, SALES},
    "crm:contact_restore": {ADMIN, DPO, SALES},
    "crm:contact_art14_send": EDITORS,
    "crm:contact_restriction": {ADMIN, DPO},
    "crm:recipient_notification_list": {ADMIN, DPO, AUDITOR},
    "crm:recipient_notification_detail": {ADMIN, DPO, AUDITOR},
    "crm:contact_bulk_tag": EDITORS,
    "crm:interaction_panel": INTERACTION_READERS,
    "crm:interaction_create": INTERACTION_WRITERS,
    "crm:interaction_edit": INTERACTION_WRITERS,
    "crm:organisation_list": EVERY_ROLE,
    "crm:organisation_detail": EVERY_ROLE,
    "crm:organisation_options": EVERY_ROLE,
    "crm:organisation_create": {ADMIN, DPO, SALES},
    "crm:organisation_edit": {ADMIN, DPO, SALES},
    "crm:import_list": IMPORTERS,
    "crm:import_new": IMPORTERS,
    "crm:import_detail": IMPORTERS,
    "crm:import_map": IMPORTERS,
    "crm:import_dry_run": IMPORTERS,
    "crm:import_run": IMPORTERS,
    "crm:import_progress": IMPORTERS,
    "crm:import_report": IMPORTERS,
    "crm:import_delete": IMPORTERS,
    "crm:contact_export": IMPORTERS,
}
# Public pages reached by a signed link (consent): no login, the token is the credential.
NOT_STAFF_PAGES = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "schema",
    "api-docs",
    "consent_preferences",
    "consent_confirm",
    "consent_unsubscribe",
}

# API collection -> (roles that may read, roles that may create; None for a read-only collection)
API: dict[str, tuple[set[str], set[str] | None]] = {
    "contacts": (EVERY_ROLE, EDITORS),
    "organisations": (EVERY_ROLE, {ADMIN, DPO, SALES}),
    "interactions": (INTERACTION_READERS, INTERACTION_WRITERS),
    "recipient-notifications": ({ADMIN, DPO, AUDITOR}, None),  # tasks are opened by services, never posted
    "processing-activities": (REGISTRY_READERS, None),
    "breaches": (REGISTRY_READERS, None),
    "consents/purposes": ({ADMIN, DPO, SALES, MARKETING, AUDITOR}, None),
    "consents/events": ({ADMIN, DPO, SALES, MARKETING, AUDITOR}, {ADMIN, DPO, SALES, MARKETING}),
}
# The contact fields each role may receive from the API.
CONTACT_FIELDS_WITHOUT_NOTES = {
    "id",
    "first_name",
    "last_name",
    "kind",
    "status",
    "organisation",
    "job_title",
    "preferred_language",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "country",
    "owner",
    "emails",
    "phones",
    "tags",
    "external_ids",
    "source",
    "source_detail",
    "collected_at",
    "last_interaction_at",
    "restricted",
    "created_at",
    "updated_at",
}
NOTES_READERS = INTERACTION_READERS


def named_patterns(patterns: list[Any] | None = None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in {"admin", "api"}:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.extend(named_patterns(entry.url_patterns, inner))
        elif entry.name:
            found.append((f"{namespace}{entry.name}", entry))
    return found


def test_every_page_is_in_the_spec():
    names = {name for name, _pattern in named_patterns()} - NOT_STAFF_PAGES
    assert names - set(PAGES) == set(), "classify the new pages in PAGES"
    assert set(PAGES) - names == set(), "PAGES names pages that no longer exist"


@pytest.fixture
def world(cast: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    """One object of each kind, owned by the Sales user so that every role may reach it."""
    settings.MEDIA_ROOT = tmp_path
    sales = cast[SALES]
    contact = ContactFactory(owner=sales, notes="private note")
    interaction = interaction_create(
        contact=contact, kind="call", occurred_at=timezone.now(), subject="Call", body="private body", author=sales
    )
    organisation = Organisation.objects.create(name="Acme")
    message = OutboxMessage.objects.create(recipient="a@example.org", template="t", subject="s", body="b")
    upload = SimpleUploadedFile("people.csv", b"first_name,last_name\nAnna,Martin\n", content_type="text/csv")
    job = import_job_create(upload=upload, user=sales)
    task = RecipientNotification.objects.create(
        contact=contact, contact_ref=contact.pk, recipient="Partner X", cause="erasure"
    )
    return {
        "task": task,
        "contact": contact,
        "interaction": interaction,
        "organisation": organisation,
        "message": message,
        "job": job,
    }


def url_for(name: str, pattern: URLPattern, world: dict[str, Any]) -> str:
    keys = set(pattern.pattern.converters)
    kwargs: dict[str, int] = {}
    if "pk" in keys:
        owner = {
            "core:outbox_detail": "message",
            "apikeys:revoke": "message",  # any id: the point is the permission answer
            "crm:organisation_detail": "organisation",
            "crm:organisation_edit": "organisation",
            "crm:recipient_notification_detail": "task",
        }.get(name, "job" if name.startswith("crm:import_") else "contact")
        kwargs["pk"] = world[owner].pk
    if "fmt" in keys:
        kwargs["fmt"] = "csv"
    if "interaction_pk" in keys:
        kwargs["interaction_pk"] = world["interaction"].pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*sorted(EVERY_ROLE), OUTSIDER])
def test_pages_answer_each_role_as_the_spec_says(role, cast, world):
    client = Client()
    client.force_login(cast[role])
    wrong = {}
    for name, pattern in named_patterns():
        if name in NOT_STAFF_PAGES:
            continue
        status = client.get(url_for(name, pattern, world)).status_code
        allowed = role in PAGES[name]
        if status >= 500 or (not allowed and 200 <= status < 300) or (allowed and status in (401, 403)):
            wrong[name] = status
    assert wrong == {}, f"{role}: unexpected answers"


def api_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*sorted(EVERY_ROLE), OUTSIDER])
def test_api_answers_each_role_as_the_spec_says(role, cast, world):
    client = api_client(cast[role])
    wrong = {}
    for collection, (readers, writers) in API.items():
        listing = client.get(f"/api/v1/{collection}/")
        if (role in readers) != (listing.status_code == 200):
            wrong[f"GET {collection}"] = listing.status_code
        created = client.post(f"/api/v1/{collection}/", {}, content_type="application/json")
        # An empty body is invalid: allowed roles get 400, the others 403; nobody posts to a read-only one.
        expected = 405 if writers is None else 400 if role in writers else 403
        if created.status_code != expected:
            wrong[f"POST {collection}"] = created.status_code
    assert wrong == {}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EVERY_ROLE))
def test_api_contact_fields_stay_within_the_role_list(role, cast, world):
    client = api_client(cast[role])
    detail = client.get(f"/api/v1/contacts/{world['contact'].pk}/").json()
    listing = client.get("/api/v1/contacts/").json()["results"]
    allowed = CONTACT_FIELDS_WITHOUT_NOTES | ({"notes"} if role in NOTES_READERS else set())
    assert set(detail) <= allowed
    assert all(set(row) <= allowed for row in listing)
    assert ("notes" in detail) == (role in NOTES_READERS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EVERY_ROLE))
def test_contact_page_shows_notes_and_interaction_bodies_only_to_their_readers(role, cast, world):
    page = api_client(cast[role]).get(reverse("crm:contact_detail", args=[world["contact"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    readable = role in NOTES_READERS
    assert ("private note" in html) == readable
    assert ("private body" in html) == readable
