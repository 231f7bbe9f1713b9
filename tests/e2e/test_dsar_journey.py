"""A person asks for access in French on a phone-sized screen, confirms from the e-mail, and the DPO sees the case."""

from __future__ import annotations

import re

import pytest
from django.utils import formats

from core.models import OutboxMessage
from dsar.models import Request

from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_french_request_confirmed_from_the_outbox_reaches_the_dpo_queue_with_its_due_date(
    browser, live_server, page, login, dpo_user
):
    contact = ContactFactory(first_name="Amélie", last_name="Poulain", emails=["amelie@example.fr"])
    person = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844})
    form = person.new_page()

    # the form speaks French to a French browser, and each field is reached by its label
    form.goto("/privacy/request/")
    assert form.locator("html").get_attribute("lang") == "fr"
    assert form.get_by_role("link", name="English").is_visible()
    form.get_by_label("Accès (art. 15)").check()
    form.get_by_label("Votre nom").fill("Amélie Poulain")
    # a mistake first: the message says what is wrong, by the field
    form.get_by_label("Votre adresse e-mail").fill("amelie-at-example.fr")
    with form.expect_navigation():
        form.get_by_label("Votre adresse e-mail").press("Enter")  # the keyboard submits
    assert form.locator("#id_email_errors").is_visible()
    form.get_by_label("Votre adresse e-mail").fill("amelie@example.fr")
    with form.expect_navigation():
        form.get_by_role("button", name="Envoyer ma demande").click()
    assert form.locator("#dsar-outcome[data-outcome=sent]").is_visible()
    assert "Consultez vos e-mails" in form.inner_text("h1")
    assert form.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling at 390 px
    assert not Request.objects.exists()

    # the link from the outbox, then the button: the request exists, with its reference
    body = OutboxMessage.objects.get(template="dsar_verification").body
    link = re.search(r"https?://[^/\s]+(/privacy/request/verify/[^\s]+/)", body).group(1)
    form.goto(link)
    with form.expect_navigation():
        form.get_by_role("button", name="Confirmer ma demande").click()
    case = Request.objects.get()
    assert form.inner_text("#case-reference") == case.reference
    assert list(case.matches.values_list("contact_id", flat=True)) == [contact.pk]
    person.close()

    # the DPO finds it in the queue with its due date, one month after receipt
    login(dpo_user)
    page.goto("/requests/")
    row = page.locator(f"#request-table tr[data-reference='{case.reference}']")
    assert row.is_visible()
    assert row.locator("[data-due]").get_attribute("data-due") == case.due_date.isoformat()
    assert formats.date_format(case.due_date, "SHORT_DATE_FORMAT") in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name=case.reference).click()
    assert page.locator("#case-status").get_attribute("data-status") == "open"
    assert page.locator("#case-timeline li[data-kind=verified]").is_visible()
    assert page.locator(f"#case-matches li[data-contact='{contact.pk}']").is_visible()
