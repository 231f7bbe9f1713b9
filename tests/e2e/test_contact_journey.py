"""The contacts issue's browser journey: Sales create, edit, note an interaction and find the contact by email;
Marketing opens it without seeing the interaction; the access log names both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from crm.models import Contact, ContactAccess

from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "Camille.Roux@Example.org"
BODY = "Budget of 40k confirmed for the spring campaign"


def _log_out(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form[action$='/logout/'] [type=submit]").click()


def test_sales_creates_edits_notes_and_finds_a_contact_marketing_sees_no_interaction(cast, login):
    sales, marketing, dpo = cast["Sales"], cast["Marketing"], cast["DPO"]
    for name in ("Carpentier", "Rousseau"):  # so the search has something to leave out
        ContactFactory(owner=sales, last_name=name)

    # Sales creates a contact with an email and a phone
    page = login(sales)
    page.goto("/contacts/")
    page.locator("#new-contact").click()
    page.fill("#id_first_name", "Camille")
    page.fill("#id_last_name", "Roux")
    page.fill("#id_emails", EMAIL)
    page.fill("#id_phones", "06 12 34 56 78")
    with page.expect_navigation():
        page.locator("#contact-form [type=submit]").click()
    contact = Contact.objects.get(last_name="Roux")
    assert page.url.rstrip("/").endswith(f"/contacts/{contact.pk}")
    expect(page.locator("#contact-points")).to_contain_text("camille.roux@example.org")
    expect(page.locator("#contact-points")).to_contain_text("+33 6 12 34 56 78")

    # … edits it
    page.locator("#edit-contact").click()
    page.fill("#id_job_title", "Head of marketing")
    with page.expect_navigation():
        page.locator("#contact-form [type=submit]").click()
    expect(page.locator("#identity")).to_contain_text("Head of marketing")
    expect(page.locator("#history tr[data-history-type='~']")).to_contain_text(sales.get_username())

    # … adds an interaction in place (htmx), with a body
    page.locator("#show-interaction-form").click()
    form = page.locator("#interaction-form")
    form.locator("select[name=kind]").select_option("meeting")
    form.locator("input[name=occurred_at]").fill("2026-03-02T10:30")
    form.locator("input[name=subject]").fill("Spring campaign")
    form.locator("textarea[name=body]").fill(BODY)
    form.locator("#add-interaction").click()
    expect(page.locator("#interaction-timeline")).to_contain_text(BODY, timeout=15_000)
    assert contact.interactions.get().author == sales

    # … and finds it by its exact email in the list (htmx search)
    page.goto("/contacts/")
    expect(page.locator("#contact-table tbody tr")).to_have_count(3)
    page.fill("#search-q", "camille.roux@EXAMPLE.org")
    page.wait_for_url(re.compile(r"q=camille\.roux"))  # pushed to the address: Back and reload keep it
    expect(page.locator("#contact-table tbody tr")).to_have_count(1)
    expect(page.locator("#contact-table tbody tr")).to_contain_text("Camille Roux")

    # Marketing (who sees every contact) opens it and does not see the interaction
    _log_out(page)
    page = login(marketing)
    page.goto(f"/contacts/{contact.pk}/")
    expect(page.locator("h1")).to_contain_text("Camille Roux")
    expect(page.locator("#contact-points")).to_contain_text("camille.roux@example.org")
    assert page.locator("#interactions").count() == 0
    content = page.content()
    assert BODY not in content and "Spring campaign" not in content

    # The contact page shows both users in its access log
    _log_out(page)
    page = login(dpo)
    page.goto(f"/contacts/{contact.pk}/")
    log = page.locator("#access-log")
    expect(log).to_contain_text(sales.get_username())
    expect(log).to_contain_text(marketing.get_username())
    viewers = set(ContactAccess.objects.filter(contact=contact).values_list("actor_label", flat=True))
    assert viewers == {sales.get_username(), marketing.get_username(), dpo.get_username()}
    expect(page.locator("#interaction-timeline")).to_contain_text(BODY)


def test_bulk_tagging_from_the_list(cast, login):
    sales = cast["Sales"]
    first = ContactFactory(owner=sales, last_name="Arnaud", emails=[])
    second = ContactFactory(owner=sales, last_name="Bernard", emails=[])
    page = login(sales)
    page.goto("/contacts/")

    add = page.locator("#bulk-form button[value=add]")
    expect(add).to_be_disabled()
    page.locator("[data-check-all]").check()
    expect(page.locator("[data-selected-count]")).to_have_text(re.compile("2"))
    page.fill("#bulk-tag", "salon-2026")
    with page.expect_navigation():
        add.click()

    expect(page.locator(".alert-success")).to_contain_text("salon-2026")
    expect(page.locator(f"tr[data-contact='{first.pk}']")).to_contain_text("salon-2026")
    expect(page.locator(f"tr[data-contact='{second.pk}']")).to_contain_text("salon-2026")


def test_support_edits_an_interaction_in_place(cast, login):
    from django.utils import timezone

    from crm import services

    contact = ContactFactory(last_name="Garnier", emails=[])
    interaction = services.interaction_create(
        contact=contact, kind="call", occurred_at=timezone.now(), subject="Ticket 42", body="Printer jammed"
    )
    page = login(cast["Support"])
    page.goto(f"/contacts/{contact.pk}/")

    item = page.locator(f"#interaction-{interaction.pk}")
    item.get_by_role("link", name="Edit").click()
    item.locator("textarea[name=body]").fill("Printer fixed on site")
    item.locator("[type=submit]").click()

    expect(page.locator("#interaction-timeline")).to_contain_text("Printer fixed on site")
    expect(page.locator(".timeline-editing")).to_have_count(0)
    interaction.refresh_from_db()
    assert interaction.body == "Printer fixed on site"
