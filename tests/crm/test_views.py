"""Staff pages of the contact repository: list, 360° page, forms, delete and restore, role scoping."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent
from crm import services
from crm.models import AccessChannel, Contact, ContactAccess, Interaction, Organisation, Tag

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db

LIST = "/contacts/"


def detail(contact: Contact, suffix: str = "") -> str:
    return f"/contacts/{contact.pk}/{suffix}"


def listed(response) -> list[int]:
    """Contact ids of the list's rows, in page order."""
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<tr data-contact="(\d+)"', response.content.decode())]


def link(response, name: str) -> str | None:
    """The href of the pager's Next or Previous link."""
    found = re.search(rf'data-page="{name}" href="([^"]+)"', response.content.decode())
    return unescape(found.group(1)) if found else None


def new_contact_data(**changes: str) -> dict:
    data = {
        "first_name": "Élise",
        "last_name": "Durand",
        "kind": "consumer",
        "status": "prospect",
        "preferred_language": "fr",
        "emails": "elise.durand@example.org",
        "phones": "06 12 34 56 78",
        "source": "manual",
    }
    return {**data, **changes}


@pytest.fixture
def sales_contact(sales_user) -> Contact:
    return ContactFactory(
        first_name="Inès", last_name="Lefèvre", owner=sales_user, emails=["ines@example.org"], phones=["0612345678"]
    )


@pytest.fixture
def other_contact(dpo_user) -> Contact:
    return ContactFactory(first_name="Hugo", last_name="Martin", owner=dpo_user, emails=["hugo@example.org"])


# --- list: columns, filters, sorting ------------------------------------------------------------------------------


def test_list_shows_primary_email_phone_organisation_status_and_tags(role_client, sales_user):
    organisation = Organisation.objects.create(name="Acme")
    tag = Tag.objects.create(name="salon-2026")
    ContactFactory(
        owner=sales_user,
        emails=["first@example.org", "second@example.org"],
        phones=["+33 1 99 00 12 34"],
        organisation=organisation,
        status="customer",
        tags=[tag],
    )

    html = role_client("Sales").get(LIST).content.decode().replace("<wbr>", "")

    assert "first@example.org" in html and "second@example.org" not in html
    assert "+33 1 99 00 12 34" in html  # stored as E.164, shown as people read it
    assert "Acme" in html and "salon-2026" in html and "Customer" in html


def test_sales_list_shows_only_their_contacts(role_client, sales_contact, other_contact):
    assert listed(role_client("Sales").get(LIST)) == [sales_contact.pk]
    assert set(listed(role_client("DPO").get(LIST))) == {sales_contact.pk, other_contact.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lef", {"ines"}),  # last-name prefix, accents ignored
        ("INÈ", {"ines"}),  # first-name prefix
        ("ines@example.org", {"ines"}),  # exact email
        ("INES@Example.org", {"ines"}),
        ("ines@example", set()),  # not a prefix search on emails
        ("06 12 34 56 78", {"ines"}),  # exact phone, any format
        ("hug", {"hugo"}),
        ("zz", set()),
    ],
)
def test_list_search(role_client, sales_contact, other_contact, query, expected):
    names = {sales_contact.pk: "ines", other_contact.pk: "hugo"}
    response = role_client("DPO").get(LIST, {"q": query})
    assert {names[pk] for pk in listed(response)} == expected


def test_list_filters_by_status_kind_tag_organisation_and_owner(role_client, sales_user, dpo_user):
    acme = Organisation.objects.create(name="Acme")
    vip = Tag.objects.create(name="vip")
    target = ContactFactory(
        owner=sales_user, status="donor", kind="professional", organisation=acme, tags=[vip], emails=[]
    )
    ContactFactory(owner=sales_user, status="donor", kind="consumer", emails=[])
    ContactFactory(owner=dpo_user, status="customer", kind="professional", organisation=acme, emails=[])
    client = role_client("DPO")

    for filters in (
        {"status": "donor", "kind": "professional"},
        {"tag": "vip"},
        {"organisation": acme.pk, "owner": sales_user.pk},
    ):
        assert listed(client.get(LIST, filters)) == [target.pk], filters


def test_invalid_filter_shows_an_error_and_no_rows(role_client, sales_contact):
    response = role_client("DPO").get(LIST, {"status": "nonsense"})
    assert response.status_code == 200
    assert listed(response) == []
    assert "Status:" in response.content.decode()


def test_list_sorts_by_name_created_and_last_interaction(role_client, dpo_user):
    bernard = ContactFactory(first_name="Zoé", last_name="Bernard", emails=[])
    albert = ContactFactory(first_name="Léa", last_name="Albert", emails=[])
    cohen = ContactFactory(first_name="Paul", last_name="Cohen", emails=[])
    services.interaction_create(contact=cohen, kind="call", occurred_at=timezone.now(), subject="Call")
    services.interaction_create(
        contact=bernard, kind="call", occurred_at=timezone.now() - timedelta(days=3), subject="Call"
    )
    client = role_client("DPO")

    assert listed(client.get(LIST)) == [albert.pk, bernard.pk, cohen.pk]
    assert listed(client.get(LIST, {"sort": "-created"})) == [cohen.pk, albert.pk, bernard.pk]
    assert listed(client.get(LIST, {"sort": "created"})) == [bernard.pk, albert.pk, cohen.pk]
    assert listed(client.get(LIST, {"sort": "-last_interaction"})) == [cohen.pk, bernard.pk, albert.pk]
    assert listed(client.get(LIST, {"sort": "bogus"})) == [albert.pk, bernard.pk, cohen.pk]


def _many_contacts(count: int) -> list[Contact]:
    contacts = []
    for index in range(count):
        contact = Contact(first_name=f"P{index:03d}", last_name="Dupont")  # same last name: ties broken by key and id
        contact.save()
        contacts.append(contact)
    return contacts


def test_keyset_next_and_previous_pages(role_client, dpo_user):
    contacts = _many_contacts(60)
    client = role_client("DPO")

    first = client.get(LIST, {"q": "dup"})
    assert listed(first) == [c.pk for c in contacts[:50]]
    assert link(first, "previous") is None

    second = client.get(LIST + link(first, "next"))
    assert listed(second) == [c.pk for c in contacts[50:]]
    assert link(second, "next") is None
    assert "q=dup" in link(second, "previous")  # the filters travel with the cursor

    back = client.get(LIST + link(second, "previous"))
    assert listed(back) == [c.pk for c in contacts[:50]]


def test_keyset_next_page_is_stable_when_rows_are_added_before_it(role_client, dpo_user):
    contacts = _many_contacts(60)
    client = role_client("DPO")
    next_link = link(client.get(LIST), "next")

    early = Contact(first_name="Aaron", last_name="Aaa")  # sorts first: an offset page would shift by one
    early.save()

    assert listed(client.get(LIST + next_link)) == [c.pk for c in contacts[50:]]


def test_a_forged_cursor_shows_the_first_page(role_client, sales_contact):
    response = role_client("Sales").get(LIST, {"cursor": "not-a-token"})
    assert listed(response) == [sales_contact.pk]


def test_the_list_never_counts_every_row(role_client, sales_contact):
    client = role_client("DPO")
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"q": "lef"})
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [q for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]


def test_the_list_leaves_the_notes_encrypted(role_client, sales_contact):
    with CaptureQueriesContext(connection) as queries:
        response = role_client("DPO").get(LIST)
    assert sales_contact.pk in listed(response)
    assert not [q for q in queries.captured_queries if '"crm_contact"."notes"' in q["sql"]]


def test_htmx_search_returns_the_results_fragment(role_client, sales_contact):
    response = role_client("Sales").get(LIST, {"q": "ine"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="contact-results">') and "<html" not in html
    assert listed(response) == [sales_contact.pk]


# --- bulk tags -----------------------------------------------------------------------------------------------------


def test_bulk_add_and_remove_tag_writes_an_audit_event_per_contact(role_client, sales_user, sales_contact):
    second = ContactFactory(owner=sales_user, emails=[])
    client = role_client("Sales")

    response = client.post(
        "/contacts/tags/", {"action": "add", "tag": "salon 2026", "ids": [sales_contact.pk, second.pk], "next": LIST}
    )

    assert response.status_code == 302 and response.url == LIST
    tag = Tag.objects.get(name="salon 2026")
    assert set(tag.contacts.values_list("pk", flat=True)) == {sales_contact.pk, second.pk}
    events = AuditEvent.objects.filter(action="contacts.tagged")
    assert sorted(events.values_list("subject_id", flat=True)) == sorted([sales_contact.pk, second.pk])
    # the tag says something about each person: named in the detail erased with them, not in the event
    assert {(e.object_id, str(e.data), e.detail.details["tag"]) for e in events} == {("", "{}", "salon 2026")}

    client.post("/contacts/tags/", {"action": "remove", "tag": "Salon 2026", "ids": [second.pk]})

    assert list(tag.contacts.values_list("pk", flat=True)) == [sales_contact.pk]
    assert list(AuditEvent.objects.filter(action="contacts.untagged").values_list("subject_id", flat=True)) == [
        second.pk
    ]


def test_bulk_tag_skips_contacts_the_user_may_not_change(role_client, sales_contact, other_contact):
    role_client("Sales").post("/contacts/tags/", {"action": "add", "tag": "x", "ids": [other_contact.pk]})
    assert not other_contact.tags.exists()


def test_bulk_tag_needs_a_selection(role_client, sales_contact):
    response = role_client("Sales").post("/contacts/tags/", {"action": "add", "tag": "x"}, follow=True)
    assert response.status_code == 200
    assert not Tag.objects.filter(name="x").exists()


def test_a_role_without_tag_creation_cannot_invent_a_tag(role_client, sales_contact):
    # Support may change contacts but not add tags
    role_client("Support").post("/contacts/tags/", {"action": "add", "tag": "new", "ids": [sales_contact.pk]})
    assert not Tag.objects.filter(name="new").exists()


# --- 360° page -----------------------------------------------------------------------------------------------------


def test_detail_shows_every_point_provenance_and_records_one_access(role_client, dpo_user, sales_user):
    contact = ContactFactory(
        owner=sales_user,
        emails=["a@example.org", "b@example.org"],
        phones=["+33 1 99 00 12 34"],
        source="import",
        source_detail="salon.csv from Fichiers SA",
        kind="professional",
    )

    response = role_client("DPO").get(detail(contact))

    html = response.content.decode()
    assert "a@example.org" in html and "b@example.org" in html and "+33 1 99 00 12 34" in html
    assert "salon.csv from Fichiers SA" in html and "Import" in html and "Professional" in html
    access = ContactAccess.objects.get(contact=contact)
    assert (access.channel, access.user_id) == (AccessChannel.PAGE, dpo_user.pk)
    assert 'id="access-log"' in html and dpo_user.get_username() in html.split('id="access-log"')[1]


def test_access_log_lists_each_viewer_and_htmx_refreshes_are_not_logged(role_client, sales_contact):
    role_client("Sales").get(detail(sales_contact))
    role_client("Sales").get(detail(sales_contact), headers={"HX-Request": "true"})

    html = role_client("DPO").get(detail(sales_contact)).content.decode()

    assert ContactAccess.objects.filter(contact=sales_contact).count() == 2
    log = html.split('id="access-log"')[1].split("</ul>")[0]
    assert "sales" in log and "dpo" in log


def test_the_access_log_panel_needs_its_permission(role_client, sales_contact):
    html = role_client("Sales").get(detail(sales_contact)).content.decode()
    assert 'id="access-log"' not in html


def test_detail_shows_history_with_who(role_client, sales_contact):
    role_client("Sales").post(
        detail(sales_contact, "edit/"),
        {**new_contact_data(), "first_name": "Inès", "last_name": "Lefèvre-Durand", "emails": "ines@example.org"},
    )
    html = role_client("DPO").get(detail(sales_contact)).content.decode()
    history = html.split('id="history"')[1]
    assert "Changed" in history and "sales" in history


def test_marketing_sees_neither_notes_nor_interactions(role_client, support_user):
    contact = ContactFactory(notes="Prefers calls after 6pm", emails=[])
    services.interaction_create(
        contact=contact, kind="call", occurred_at=timezone.now(), subject="Renewal", body="Secret budget 40k"
    )

    html = role_client("Marketing").get(detail(contact)).content.decode()
    assert "Secret budget" not in html and "Renewal" not in html and "Prefers calls" not in html
    assert 'id="interactions"' not in html and 'id="notes"' not in html

    html = role_client("Support").get(detail(contact)).content.decode()
    assert "Secret budget" in html and "Prefers calls" in html


def test_marketing_gets_403_on_interaction_urls(role_client):
    contact = ContactFactory(emails=[])
    interaction = services.interaction_create(
        contact=contact, kind="call", occurred_at=timezone.now(), subject="Renewal"
    )
    client = role_client("Marketing")

    assert client.get(detail(contact, "interactions/")).status_code == 403
    assert client.post(detail(contact, "interactions/new/"), {"subject": "x"}).status_code == 403
    assert client.get(detail(contact, f"interactions/{interaction.pk}/edit/")).status_code == 403
    assert Interaction.objects.count() == 1


def test_sales_get_404_on_contacts_they_do_not_own(role_client, other_contact):
    client = role_client("Sales")
    for suffix in ("", "edit/", "delete/", "interactions/", "interactions/new/"):
        assert client.get(detail(other_contact, suffix)).status_code == 404, suffix
    assert ContactAccess.objects.count() == 0


def test_restricted_contact_shows_a_badge_and_banner_and_is_read_only(role_client, dpo_user):
    contact = ContactFactory(emails=[], last_name="Gardé")
    Contact.objects.filter(pk=contact.pk).update(
        restricted=True, restricted_at=timezone.now(), restriction_reason="Accuracy contested"
    )
    client = role_client("DPO")

    assert 'restricted-badge">Restricted' in client.get(LIST).content.decode()
    html = client.get(detail(contact)).content.decode()
    assert 'id="restriction-banner"' in html and "Accuracy contested" in html
    assert 'id="edit-contact"' not in html and 'id="interaction-form"' not in html
    assert client.get(detail(contact, "edit/")).status_code == 404
    refused = role_client("Marketing").get(detail(contact))  # no legal-claims permission: told, not shown
    assert refused.status_code == 403
    assert "Gardé" not in refused.content.decode() and "Accuracy contested" not in refused.content.decode()


# --- interactions, in place ----------------------------------------------------------------------------------------


def test_add_interaction_with_htmx_returns_the_panel(role_client, sales_user, sales_contact):
    response = role_client("Sales").post(
        detail(sales_contact, "interactions/new/"),
        {"kind": "meeting", "occurred_at": "2026-03-02T10:30", "subject": "Demo", "body": "Wants the pro plan"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div class="card')
    assert "Wants the pro plan" in html
    interaction = Interaction.objects.get()
    assert (interaction.author, interaction.body) == (sales_user, "Wants the pro plan")
    sales_contact.refresh_from_db()
    assert sales_contact.last_interaction_at == interaction.occurred_at


def test_add_interaction_without_htmx_redirects_to_the_page(role_client, sales_contact):
    response = role_client("Sales").post(
        detail(sales_contact, "interactions/new/"),
        {"kind": "call", "occurred_at": "2026-03-02T10:30", "subject": "Call back"},
    )
    assert response.status_code == 302 and response.url.endswith(f"/contacts/{sales_contact.pk}/#interactions")


def test_interaction_errors_are_field_level(role_client, sales_contact):
    response = role_client("Sales").post(
        detail(sales_contact, "interactions/new/"),
        {"kind": "call", "occurred_at": "yesterday-ish", "subject": ""},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_occurred_at_errors"' in html and 'id="id_subject_errors"' in html
    assert not Interaction.objects.exists()


def test_edit_interaction_in_place(role_client, sales_contact):
    interaction = services.interaction_create(
        contact=sales_contact, kind="call", occurred_at=timezone.now(), subject="Call", body="old"
    )
    client = role_client("Sales")
    url = detail(sales_contact, f"interactions/{interaction.pk}/edit/")

    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert form.startswith('<li class="timeline-item timeline-editing"')

    response = client.post(
        url,
        {"kind": "email", "occurred_at": "2026-01-05T09:00", "subject": "Mail", "body": "new"},
        headers={"HX-Request": "true"},
    )
    assert response.headers["HX-Retarget"] == "#interactions"
    interaction.refresh_from_db()
    assert (interaction.kind, interaction.subject, interaction.body) == ("email", "Mail", "new")


# --- forms ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"emails": "not-an-address"}, "emails"),
        ({"emails": "taken@example.org"}, "emails"),  # belongs to another contact
        ({"phones": "12"}, "phones"),
        ({"birth_date": "1990-02-31"}, "birth_date"),
        ({"country": "FRANCE"}, "country"),
        ({"first_name": ""}, "first_name"),
        ({"organisation": "999999"}, "organisation"),
        ({"collected_at": "tomorrow"}, "collected_at"),
    ],
)
def test_create_form_errors_are_field_level(role_client, changes, field):
    ContactFactory(emails=["taken@example.org"])
    before = Contact.objects.count()

    response = role_client("Sales").post("/contacts/new/", new_contact_data(**changes))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_errors"' in html, html
    assert 'aria-invalid="true"' in html
    assert Contact.objects.count() == before


def test_edit_form_maps_a_duplicate_email_to_its_field(role_client, sales_contact, other_contact):
    response = role_client("Sales").post(
        detail(sales_contact, "edit/"), new_contact_data(emails="hugo@example.org", phones="")
    )
    assert response.status_code == 200
    assert 'id="id_emails_errors"' in response.content.decode()
    assert sales_contact.emails == ["ines@example.org"]


def test_sales_create_owns_the_contact_and_records_provenance(role_client, sales_user):
    form = role_client("Sales").get("/contacts/new/").content.decode()
    assert 'name="owner"' not in form and 'name="source"' in form

    response = role_client("Sales").post(
        "/contacts/new/", new_contact_data(source="event", source_detail="Salon 2026", collected_at="2026-02-01T09:00")
    )

    contact = Contact.objects.get()
    assert response.status_code == 302 and response.url == detail(contact)
    assert contact.owner == sales_user
    assert (contact.source, contact.source_detail) == ("event", "Salon 2026")
    assert timezone.localtime(contact.collected_at).date().isoformat() == "2026-02-01"
    assert contact.emails == ["elise.durand@example.org"] and contact.phones == ["+33612345678"]


def test_roles_that_see_every_contact_choose_the_owner(role_client, sales_user):
    response = role_client("DPO").post("/contacts/new/", new_contact_data(owner=sales_user.pk))
    assert response.status_code == 302
    assert Contact.objects.get().owner == sales_user


def test_edit_form_hides_provenance_and_notes_for_marketing(role_client):
    contact = ContactFactory(notes="private", emails=[])
    html = role_client("Marketing").get(detail(contact, "edit/")).content.decode()
    assert 'name="notes"' not in html and "private" not in html and 'name="source"' not in html


# --- delete and restore --------------------------------------------------------------------------------------------


def test_soft_delete_then_restore(role_client, sales_contact):
    client = role_client("Sales")
    assert client.get(detail(sales_contact, "delete/")).status_code == 200

    response = client.post(detail(sales_contact, "delete/"), {"reason": "duplicate entry"})

    assert response.status_code == 302
    sales_contact.refresh_from_db()
    assert sales_contact.deleted_at is not None
    assert client.get(detail(sales_contact)).status_code == 404
    assert listed(client.get(LIST)) == []
    trash = client.get("/contacts/deleted/").content.decode()
    assert f'data-contact="{sales_contact.pk}"' in trash

    response = client.post(detail(sales_contact, "restore/"))

    assert response.status_code == 302 and response.url == detail(sales_contact)
    sales_contact.refresh_from_db()
    assert sales_contact.deleted_at is None


def test_trash_lists_only_the_last_30_days_and_the_users_contacts(role_client, sales_user, sales_contact):
    old = ContactFactory(owner=sales_user, emails=[])
    theirs = ContactFactory(emails=[])
    for contact in (sales_contact, old, theirs):
        services.contact_delete(contact=contact)
    Contact.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    html = role_client("Sales").get("/contacts/deleted/").content.decode()

    assert f'data-contact="{sales_contact.pk}"' in html
    assert f'data-contact="{old.pk}"' not in html and f'data-contact="{theirs.pk}"' not in html
    response = role_client("Sales").post(detail(old, "restore/"), follow=True)
    assert "can no longer be restored" in response.content.decode()
    old.refresh_from_db()
    assert old.deleted_at is not None


def test_marketing_cannot_delete(role_client):
    contact = ContactFactory(emails=[])
    assert role_client("Marketing").post(detail(contact, "delete/")).status_code == 403
    assert role_client("Marketing").get("/contacts/deleted/").status_code == 403
    contact.refresh_from_db()
    assert contact.deleted_at is None


def test_restore_is_post_only(role_client, sales_contact):
    services.contact_delete(contact=sales_contact)
    assert role_client("Sales").get(detail(sales_contact, "restore/")).status_code == 405


# --- organisations and tabs -----------------------------------------------------------------------------------------


def test_organisation_list_search_and_detail_with_scoped_contacts(role_client, sales_user, dpo_user):
    acme = Organisation.objects.create(name="Åcme Industries")
    Organisation.objects.create(name="Beta")
    mine = ContactFactory(owner=sales_user, organisation=acme, emails=[], last_name="Mine")
    ContactFactory(owner=dpo_user, organisation=acme, emails=[], last_name="Notmine")
    client = role_client("Sales")

    html = client.get("/contacts/organisations/", {"q": "acm"}).content.decode()
    assert "Åcme Industries" in html and "Beta" not in html

    html = client.get(f"/contacts/organisations/{acme.pk}/").content.decode()
    assert f"/contacts/{mine.pk}/" in html and "Notmine" not in html


def test_organisation_create_and_edit(role_client):
    client = role_client("Sales")
    response = client.post("/contacts/organisations/new/", {"name": "Gamma", "country": "fr"})
    organisation = Organisation.objects.get(name="Gamma")
    assert response.status_code == 302 and organisation.country == "FR"

    response = client.post(f"/contacts/organisations/{organisation.pk}/edit/", {"name": "", "website": "nope"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_name_errors"' in html and 'id="id_website_errors"' in html


def test_marketing_reads_organisations_but_cannot_write(role_client):
    organisation = Organisation.objects.create(name="Acme")
    client = role_client("Marketing")
    assert client.get(f"/contacts/organisations/{organisation.pk}/").status_code == 200
    assert client.get("/contacts/organisations/new/").status_code == 403
    assert client.post(f"/contacts/organisations/{organisation.pk}/edit/", {"name": "X"}).status_code == 403


def test_organisation_options_for_the_select(role_client):
    chosen = Organisation.objects.create(name="Zeta")
    Organisation.objects.create(name="Acme")
    Organisation.objects.create(name="Acne Studios")
    html = (
        role_client("Sales")
        .get("/contacts/organisations/options/", {"organisation_q": "ac", "organisation": chosen.pk})
        .content.decode()
    )
    assert re.findall(r">([^<]+)</option>", html) == ["—", "Zeta", "Acme", "Acne Studios"]
    assert f'value="{chosen.pk}" selected' in html


def test_contact_tabs_follow_permissions(role_client):
    sales = role_client("Sales").get(LIST).content.decode()
    assert 'data-tab="organisations"' in sales and 'data-tab="trash"' in sales
    support = role_client("Support").get(LIST).content.decode()
    assert 'data-tab="organisations"' in support and 'data-tab="trash"' not in support


def test_outsider_is_refused_every_contact_page(client, outsider_user, contact):
    client.force_login(outsider_user)
    for url in (LIST, detail(contact), "/contacts/new/", "/contacts/deleted/", "/contacts/organisations/"):
        assert client.get(url).status_code == 403, url


def test_export_buttons_carry_the_list_filters(role_client, sales_contact):
    html = role_client("Sales").get(LIST, {"status": "prospect"}).content.decode()
    exports = re.findall(r'href="(/contacts/export/[^"]*)"', html)
    assert exports and all("status=prospect" in href for href in exports)
    support = role_client("Support").get(LIST).content.decode()  # no export permission
    assert "/contacts/export/" not in support
