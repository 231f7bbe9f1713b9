"""As a new user meets it in a real browser: the browser's language, the saved choice, the tag picker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from core.language import staff_language_set
from crm.models import Contact, Tag

from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def french_browser(browser: Browser, live_server) -> Iterator[Page]:
    """A browser set to French: it sends Accept-Language: fr-FR."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    yield context.new_page()
    context.close()


def _sign_in(page: Page, user) -> None:
    page.goto("/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#id_password) [type=submit]").click()


def test_a_french_browser_gets_french_at_contacts_without_a_prefix(french_browser, sales_user):
    _sign_in(french_browser, sales_user)
    french_browser.goto("/contacts/")
    assert french_browser.evaluate("document.documentElement.lang") == "fr"
    assert french_browser.locator("h1").inner_text() == "Contacts"
    assert french_browser.locator("#new-contact").inner_text() == "+ Nouveau contact"


def test_a_user_who_saved_english_gets_english_from_the_same_browser(french_browser, sales_user):
    staff_language_set(user=sales_user, language="en")
    _sign_in(french_browser, sales_user)
    french_browser.goto("/contacts/")
    assert french_browser.evaluate("document.documentElement.lang") == "en"
    assert french_browser.locator("#new-contact").inner_text() == "+ New contact"


def test_the_language_switch_is_remembered_at_the_next_sign_in(french_browser, sales_user, browser, live_server):
    _sign_in(french_browser, sales_user)
    french_browser.goto("/contacts/")
    with french_browser.expect_navigation():
        french_browser.select_option("#language-select", "en")
    assert french_browser.evaluate("document.documentElement.lang") == "en"

    other = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    _sign_in(other, sales_user)
    other.goto("/contacts/")
    assert other.evaluate("document.documentElement.lang") == "en"
    other.context.close()


def test_tags_are_picked_with_the_keyboard(login, sales_user):
    Tag.objects.create(name="newsletter")
    Tag.objects.create(name="vip")
    page = login(sales_user)
    page.goto("/contacts/new/")
    assert page.locator("#id_preferred_language").input_value() == "en"
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_emails", "ada@example.org")

    tags = page.get_by_role("combobox", name="Tags")
    tags.focus()
    page.keyboard.type("vi")
    page.keyboard.press("Enter")
    page.keyboard.type("news")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.locator("#contact-form [type=submit]").click()

    contact = Contact.objects.get(last_name="Lovelace")
    assert sorted(contact.tags.values_list("name", flat=True)) == ["newsletter", "vip"]
    assert contact.preferred_language == "en"
