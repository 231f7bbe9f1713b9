"""The contacts endpoint (/api/v1/contacts/): validation, role scoping, minimisation, soft delete, logs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import Contact, ContactAccess, DisclosedContact, Disclosure, Organisation, Tag
from crm.services import contact_delete

from ..factories import ContactFactory
from .api_clients import key_api, staff_api

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"


def detail(contact: Contact, suffix: str = "") -> str:
    return f"{URL}{contact.pk}/{suffix}"


def new_contact(**fields) -> dict:
    return {"first_name": "Élise", "last_name": "Durand", "source": "manual", **fields}


def listed_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- create: normalisation and field-level errors ---------------------------------------------------------------


def test_create_normalises_emails_and_phones_and_returns_them(dpo_user):
    response = staff_api(dpo_user).post(
        URL,
        new_contact(emails=["  Elise.Durand@Exämple.FR ", "elise@work.example"], phones=["06 12 34 56 78"]),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["emails"] == ["elise.durand@xn--exmple-cua.fr", "elise@work.example"]
    assert body["phones"] == ["+33612345678"]
    contact = Contact.objects.get(pk=body["id"])
    assert contact.primary_email == "elise.durand@xn--exmple-cua.fr"
    assert (contact.owner, contact.source) == (dpo_user, "manual")


def test_an_email_of_another_contact_is_a_field_error_whatever_its_case(dpo_user):
    ContactFactory(emails=["taken@example.org"])

    response = staff_api(dpo_user).post(URL, new_contact(emails=["TAKEN@Example.org"]), format="json")

    assert response.status_code == 400
    assert "taken@example.org already belongs to another contact." in response.json()["emails"][0]
    assert not Contact.objects.filter(last_name="Durand").exists()


def test_an_invalid_phone_is_a_field_error(dpo_user):
    response = staff_api(dpo_user).post(URL, new_contact(phones=["12"]), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["phones"]


def test_a_model_rule_is_a_field_error(dpo_user):
    response = staff_api(dpo_user).post(URL, new_contact(country="FRA", preferred_language="xx"), format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"country", "preferred_language"}


def test_the_country_is_stored_upper_case_and_must_be_two_letters(dpo_user):
    api = staff_api(dpo_user)
    created = api.post(URL, new_contact(country=" fr "), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["country"] == "FR"
    refused = api.patch(detail(Contact(pk=created.json()["id"])), {"country": "F1"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"country"}
    organisation = api.post("/api/v1/organisations/", {"name": "Acme", "country": "de"}, format="json")
    assert organisation.json()["country"] == "DE"


def test_every_contact_point_error_comes_back_at_once(dpo_user):
    response = staff_api(dpo_user).post(URL, new_contact(emails=["not-an-address"], phones=["+33 6"]), format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"emails", "phones"}
    assert "not-an-address" in response.json()["emails"][0]


def test_staff_must_say_where_the_data_came_from(dpo_user):
    response = staff_api(dpo_user).post(URL, {"first_name": "Ada", "last_name": "Lovelace"}, format="json")

    assert response.status_code == 400
    assert "source" in response.json()


def test_an_api_key_creation_records_the_api_as_source_and_is_attributed_to_the_key():
    key, client = key_api("contacts:write", name="Webshop")

    response = client.post(URL, {"first_name": "Ada", "last_name": "Lovelace"}, format="json")

    assert response.status_code == 201, response.content
    contact = Contact.objects.get(pk=response.json()["id"])
    assert (contact.source, contact.owner) == ("api", None)
    row = contact.history.get()
    assert (row.history_actor_kind, row.history_user_id) == ("api_key", None)
    assert key.prefix in row.history_actor_label


def test_tags_are_given_by_name_and_must_exist(dpo_user):
    Tag.objects.create(name="newsletter")
    client = staff_api(dpo_user)

    unknown = client.post(URL, new_contact(tags=["newsletter", "no-such-tag"]), format="json")
    known = client.post(URL, new_contact(tags=["newsletter"]), format="json")

    assert unknown.status_code == 400 and "tags" in unknown.json()
    assert known.status_code == 201 and known.json()["tags"] == ["newsletter"]


def test_external_ids_are_set_at_creation_unique_and_then_fixed(dpo_user):
    client = staff_api(dpo_user)
    created = client.post(URL, new_contact(external_ids={"erp": "C-1042"}), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["external_ids"] == {"erp": "C-1042"}

    clash = client.post(URL, new_contact(last_name="Other", external_ids={"erp": "C-1042"}), format="json")
    assert clash.status_code == 400 and "external_ids" in clash.json()

    url = f"{URL}{created.json()['id']}/"
    assert client.patch(url, {"external_ids": {"erp": "C-1042"}}, format="json").status_code == 200
    changed = client.patch(url, {"external_ids": {"erp": "C-9999"}}, format="json")
    assert changed.status_code == 400 and "external_ids" in changed.json()


def test_update_replaces_the_email_list_and_keeps_the_first_as_primary(dpo_user):
    contact = ContactFactory(emails=["old@example.org"])

    response = staff_api(dpo_user).patch(
        detail(contact), {"emails": ["New@Example.org", "old@example.org"], "status": "customer"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["emails"] == ["new@example.org", "old@example.org"]
    contact.refresh_from_db()
    assert contact.primary_email == "new@example.org" and contact.status == "customer"


# --- roles ------------------------------------------------------------------------------------------------------


def test_sales_see_only_their_contacts_and_own_what_they_create(sales_user, dpo_user):
    mine = ContactFactory(owner=sales_user)
    theirs = ContactFactory(owner=dpo_user)
    client = staff_api(sales_user)

    assert listed_ids(client.get(URL)) == [mine.pk]
    assert client.get(detail(theirs)).status_code == 404
    assert client.patch(detail(theirs), {"status": "customer"}, format="json").status_code == 404

    created = client.post(URL, new_contact(owner=dpo_user.pk), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["owner"] == sales_user.pk
    assert Contact.objects.get(pk=created.json()["id"]).owner == sales_user


def test_marketing_neither_reads_nor_writes_notes(marketing_user):
    contact = ContactFactory(notes="Met at the fair")
    client = staff_api(marketing_user)

    listed = client.get(URL).json()["results"][0]
    read = client.get(detail(contact)).json()
    written = client.patch(detail(contact), {"notes": "overwritten", "job_title": "CTO"}, format="json")

    assert "notes" not in listed and "notes" not in read
    assert written.status_code == 200 and "notes" not in written.json()
    contact.refresh_from_db()
    assert (contact.notes, contact.job_title) == ("Met at the fair", "CTO")


def test_support_reads_notes(support_user):
    contact = ContactFactory(notes="Met at the fair")
    assert staff_api(support_user).get(detail(contact)).json()["notes"] == "Met at the fair"


def test_auditors_read_but_never_write(auditor_user):
    contact = ContactFactory()
    client = staff_api(auditor_user)

    assert client.get(detail(contact)).status_code == 200
    assert client.post(URL, new_contact(), format="json").status_code == 403
    assert client.patch(detail(contact), {"status": "customer"}, format="json").status_code == 403
    assert client.delete(detail(contact)).status_code == 403
    assert client.post(detail(contact, "restore/")).status_code == 403
    contact.refresh_from_db()
    assert contact.status == "prospect" and contact.deleted_at is None


def test_users_without_a_role_get_403(outsider_user):
    ContactFactory()
    assert staff_api(outsider_user).get(URL).status_code == 403


# --- soft delete and restore --------------------------------------------------------------------------------------


def test_delete_is_soft_and_restore_brings_the_contact_back(dpo_user):
    contact = ContactFactory()
    client = staff_api(dpo_user)

    deleted = client.delete(detail(contact))
    assert deleted.status_code == 204
    contact.refresh_from_db()
    assert contact.deleted_at is not None
    assert listed_ids(client.get(URL)) == []
    assert client.get(detail(contact)).status_code == 404

    restored = client.post(detail(contact, "restore/"))
    assert restored.status_code == 200, restored.content
    assert restored.json()["id"] == contact.pk
    assert listed_ids(client.get(URL)) == [contact.pk]


def test_restore_after_thirty_days_is_refused_with_a_reason(dpo_user):
    contact = contact_delete(contact=ContactFactory())
    Contact.objects.filter(pk=contact.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    response = staff_api(dpo_user).post(detail(contact, "restore/"))

    assert response.status_code == 400
    assert "30 days" in response.json()["non_field_errors"][0]
    contact.refresh_from_db()
    assert contact.deleted_at is not None


def test_only_deleted_contacts_the_user_may_delete_can_be_restored(sales_user, dpo_user):
    live = ContactFactory(owner=sales_user)
    theirs = contact_delete(contact=ContactFactory(owner=dpo_user))
    client = staff_api(sales_user)

    assert client.post(detail(live, "restore/")).status_code == 404
    assert client.post(detail(theirs, "restore/")).status_code == 404


# --- restriction (Art. 18) --------------------------------------------------------------------------------------


def test_a_restricted_contact_is_read_only_and_hidden_from_keys(dpo_user):
    contact = ContactFactory()
    Contact.objects.filter(pk=contact.pk).update(restricted=True, restricted_at=timezone.now())
    _, key_client = key_api("contacts:read", "contacts:write")
    client = staff_api(dpo_user)

    assert client.get(detail(contact)).json()["restricted"] is True
    locked = client.patch(detail(contact), {"status": "customer"}, format="json")
    assert locked.status_code == 423 and "restricted" in locked.json()["detail"]
    assert client.delete(detail(contact)).status_code == 423
    assert listed_ids(key_client.get(URL)) == []
    assert key_client.get(detail(contact)).status_code == 404


# --- filters ------------------------------------------------------------------------------------------------------


def test_q_searches_a_name_prefix_ignoring_accents_and_case(dpo_user):
    eloise = ContactFactory(first_name="Éloïse", last_name="Lefèvre")
    ContactFactory(first_name="Marc", last_name="Dupont")
    client = staff_api(dpo_user)

    assert listed_ids(client.get(URL, {"q": "ELOI"})) == [eloise.pk]
    assert listed_ids(client.get(URL, {"q": "lefe"})) == [eloise.pk]


def test_email_and_phone_filters_match_exactly_through_normalisation(dpo_user):
    wanted = ContactFactory(emails=["elise@exämple.fr"], phones=["+33 6 12 34 56 78"])
    ContactFactory(emails=["elise@example.fr"], phones=["+33 6 12 34 56 79"])
    client = staff_api(dpo_user)

    assert listed_ids(client.get(URL, {"email": "ELISE@xn--exmple-cua.fr"})) == [wanted.pk]
    assert listed_ids(client.get(URL, {"email": "elise@exämple.fr"})) == [wanted.pk]
    assert listed_ids(client.get(URL, {"email": "elise@exämple"})) == []
    assert listed_ids(client.get(URL, {"phone": "06 12 34 56 78"})) == [wanted.pk]
    assert listed_ids(client.get(URL, {"q": "+33612345678"})) == [wanted.pk]


def test_tag_status_and_organisation_filters(dpo_user):
    acme = Organisation.objects.create(name="Acme")
    vip = Tag.objects.create(name="vip")
    tagged = ContactFactory(tags=[vip])
    customer = ContactFactory(status="customer")
    employee = ContactFactory(organisation=acme)
    client = staff_api(dpo_user)

    assert listed_ids(client.get(URL, {"tag": "vip"})) == [tagged.pk]
    assert listed_ids(client.get(URL, {"status": "customer"})) == [customer.pk]
    assert listed_ids(client.get(URL, {"organisation": acme.pk})) == [employee.pk]
    assert client.get(URL, {"status": "emperor"}).status_code == 400


# --- pagination and ordering ------------------------------------------------------------------------------------


def walk(client, params: dict) -> list[int]:
    ids, response = [], client.get(URL, params)
    while True:
        ids.extend(listed_ids(response))
        next_url = response.json()["next"]
        if next_url is None:
            return ids
        response = client.get(next_url)


@pytest.mark.parametrize("ordering", ["last_name_key", "-last_name_key", "created_at", "-id", "last_interaction_at"])
def test_pages_cover_every_contact_once_in_order(dpo_user, ordering):
    contacts = [ContactFactory(last_name=name) for name in ["Martin", "Martin", "Martin", "Bernard", "Petit"]]
    Contact.objects.filter(pk__in=[c.pk for c in contacts[:2]]).update(last_interaction_at=timezone.now())
    field = ordering.lstrip("-")
    rows = Contact.objects.order_by(*(f"-{c}" if ordering[0] == "-" else c for c in (field, "pk")))
    expected = [c.pk for c in rows] if field != "last_interaction_at" else None

    ids = walk(staff_api(dpo_user), {"ordering": ordering, "page_size": 2})

    assert sorted(ids) == sorted(c.pk for c in contacts)
    if expected is not None and field != "last_name_key":
        assert ids == expected
    if field == "last_name_key":
        names = [Contact.objects.get(pk=pk).last_name_key for pk in ids]
        assert names == sorted(names, reverse=ordering.startswith("-"))


def test_previous_link_returns_the_previous_page_and_no_name_shows_in_links(dpo_user):
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]:
        ContactFactory(last_name=name)
    client = staff_api(dpo_user)
    first = client.get(URL, {"ordering": "last_name_key", "page_size": 2}).json()
    second = client.get(first["next"]).json()

    back = client.get(second["previous"]).json()

    assert [row["last_name"] for row in second["results"]] == ["Charlie", "Delta"]
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]
    assert "charlie" not in second["previous"].lower() and "bravo" not in first["next"].lower()


def test_page_size_outside_its_range_and_a_forged_cursor_are_field_errors(dpo_user):
    client = staff_api(dpo_user)
    ContactFactory.create_batch(3)

    assert len(client.get(URL, {"page_size": 200}).json()["results"]) == 3
    for page_size in ("100000", "0", "null", "1.5", "-1"):
        response = client.get(URL, {"page_size": page_size})
        assert response.status_code == 400 and list(response.json()) == ["page_size"], page_size
    forged = client.get(URL, {"cursor": "cD0yMDI2"})
    assert forged.status_code == 400 and list(forged.json()) == ["cursor"]


def test_an_unknown_ordering_is_a_field_error_not_another_order(dpo_user):
    response = staff_api(dpo_user).get(URL, {"ordering": "birth_date"})

    assert response.status_code == 400 and "last_name_key" in response.json()["ordering"][0]


# --- logs: record accesses and disclosures ------------------------------------------------------------------------


def test_reading_a_contact_is_logged_in_its_access_log(support_user):
    contact = ContactFactory()

    staff_api(support_user).get(detail(contact))

    access = ContactAccess.objects.get(contact=contact)
    assert (access.channel, access.user, access.actor_kind) == ("api", support_user, "user")


def test_listing_with_an_api_key_is_a_disclosure_of_the_page(dpo_user):
    contacts = ContactFactory.create_batch(3)
    _, client = key_api("contacts:read", name="Partner X")

    response = client.get(URL, {"page_size": 2})

    page_ids = listed_ids(response)
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.channel, disclosure.actor_kind) == ("Partner X", "api", "api_key")
    assert sorted(DisclosedContact.objects.values_list("contact_id", flat=True)) == sorted(page_ids)
    assert disclosure.contact_count == 2 and len(contacts) == 3
    assert {"emails", "phones", "first_name"} <= set(disclosure.fields) and "notes" not in disclosure.fields
    assert set(disclosure.fields) == set(response.json()["results"][0])  # what was sent, nothing write-only


def test_reading_with_an_api_key_logs_the_access_and_the_disclosure():
    contact = ContactFactory()
    _, client = key_api("contacts:read", "interactions:read", name="Partner X")

    response = client.get(detail(contact))

    assert response.status_code == 200 and "notes" in response.json()
    assert ContactAccess.objects.get(contact=contact).actor_kind == "api_key"
    disclosure = Disclosure.objects.get()
    assert list(disclosure.entries.values_list("contact_id", flat=True)) == [contact.pk]
    assert "notes" in disclosure.fields


def test_staff_reads_are_not_disclosures(dpo_user):
    contact = ContactFactory()
    client = staff_api(dpo_user)
    client.get(URL)
    client.get(detail(contact))
    assert not Disclosure.objects.exists()


def test_a_change_through_a_key_is_attributed_to_the_key_in_the_history():
    contact = ContactFactory()
    _, client = key_api("contacts:write", name="ERP sync")

    response = client.patch(detail(contact), {"job_title": "Buyer"}, format="json")

    assert response.status_code == 200, response.content
    latest = contact.history.order_by("-history_id").first()
    assert latest.job_title == "Buyer"
    assert latest.history_actor_kind == "api_key" and "ERP sync" in latest.history_actor_label


def test_a_phone_number_may_be_shared_by_several_contacts(dpo_user):
    # given: a household landline already held by one contact
    ContactFactory(first_name="Paul", last_name="Martin", phones=["+33145678901"])

    # when: the partner is created with the same number, written another way
    response = staff_api(dpo_user).post(
        URL, new_contact(first_name="Anne", last_name="Martin", phones=["01 45 67 89 01"]), format="json"
    )

    # then: both hold it; the blind index finds both
    assert response.status_code == 201, response.content
    assert response.json()["phones"] == ["+33145678901"]
    assert sorted(Contact.objects.with_phone("+33145678901").values_list("first_name", flat=True)) == ["Anne", "Paul"]
