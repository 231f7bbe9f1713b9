"""List pages read each relation of their contacts once, into plain lists (ContactQuerySet.with_rows).

A page of contacts shows every contact's points and tags (and, in the API, its external
ids): they are read in one query per relation, whatever the page size, and each row
shows its own values, never another row's.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from crm.models import Contact, Tag

from ..factories import ContactFactory
from .api_clients import staff_api

pytestmark = pytest.mark.django_db


def _contacts(count: int, offset: int = 0) -> list[Contact]:
    tags = [Tag.objects.get_or_create(name=name)[0] for name in ("vip", "press")]
    return [
        ContactFactory(
            last_name=f"Name{offset + number:03d}",
            emails=[f"person{offset + number}@example.com"],
            phones=[f"+33 1 99 00 {offset + number:02d} 00"],
            tags=tags[: number % 3],
            external_ids={"erp": f"C-{offset + number}"},
        )
        for number in range(count)
    ]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_api_list_shows_each_contacts_own_points_tags_and_external_ids(dpo_user):
    contacts = _contacts(5)

    rows = {row["id"]: row for row in staff_api(dpo_user).get("/api/v1/contacts/").json()["results"]}

    for number, contact in enumerate(contacts):
        row = rows[contact.pk]
        assert row["emails"] == [f"person{number}@example.com"]
        assert row["phones"] == [f"+3319900{number:02d}00"]
        assert sorted(row["tags"]) == sorted(["vip", "press"][: number % 3])
        assert row["external_ids"] == {"erp": f"C-{number}"}


def test_list_pages_read_each_relation_once_whatever_their_size(dpo_user, client):
    api = staff_api(dpo_user)
    client.force_login(dpo_user)
    _contacts(3)
    few = (_queries(api, "/api/v1/contacts/"), _queries(client, "/contacts/"))

    _contacts(9, offset=3)

    assert (_queries(api, "/api/v1/contacts/"), _queries(client, "/contacts/")) == few


def test_the_staff_list_shows_each_contacts_tags_and_primary_email(dpo_user, client):
    contacts = _contacts(3)
    client.force_login(dpo_user)

    page = client.get("/contacts/").content.decode()

    rows = page.split('<tr data-contact="')[1:]
    shown = {int(row.split('"', 1)[0]): row for row in rows}
    assert "person2" in shown[contacts[2].pk] and "press" in shown[contacts[2].pk]
    assert "vip" in shown[contacts[1].pk] and "press" not in shown[contacts[1].pk]
    assert "tag-badge" not in shown[contacts[0].pk]


def test_a_contact_read_without_with_rows_reads_its_relations_itself(dpo_user):
    (contact,) = _contacts(3)[2:]

    fresh = Contact.objects.get(pk=contact.pk)

    assert sorted(tag.name for tag in fresh.tag_list) == ["press", "vip"]
    assert fresh.primary_email == "person2@example.com"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_row_links_are_the_urls_reverse_gives_in_the_pages_language(language):
    from django.urls import reverse

    from crm.templatetags.crm_ui import url_for_pk

    for _ in range(2):  # the second time from the cache, which must not mix the languages up
        for name in ("crm:contact_detail", "crm:organisation_detail"):
            with translation.override(language):
                assert url_for_pk(42, name) == reverse(name, args=[42])


def test_the_french_list_links_each_row_to_its_french_contact_page(dpo_user, client):
    (contact,) = _contacts(1)
    client.force_login(dpo_user)
    client.get("/contacts/")  # the English links first

    with translation.override("en"):  # the French request activates French: put the test's language back after
        page = client.get("/fr/contacts/").content.decode()

    assert f'href="/fr/contacts/{contact.pk}/"' in page


def test_the_status_label_follows_the_language_and_an_unknown_status_shows_as_stored():
    from crm.models import ContactStatus

    with translation.override("fr"):
        french = Contact(status=ContactStatus.DONOR).get_status_display()
        expected = str(ContactStatus.DONOR.label)

    assert french == expected and french != "Donor"
    assert Contact(status="emperor").get_status_display() == "emperor"
