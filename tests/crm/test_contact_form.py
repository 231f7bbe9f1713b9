"""The contact form as a new user meets it: language default, tag picker, phones as the page shows them."""

from __future__ import annotations

import re
from html import unescape

import pytest

from crm.forms import ContactForm
from crm.models import Contact, Tag

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


def _selected_language(html: str) -> str:
    select = re.search(r'<select name="preferred_language".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\w+)" selected', select).group(1)


@pytest.mark.parametrize(("prefix", "expected"), [("", "en"), ("/fr", "fr")])
def test_new_contact_language_defaults_to_the_interface_language(role_client, prefix, expected):
    html = role_client("Sales").get(f"{prefix}/contacts/new/").content.decode()
    assert _selected_language(html) == expected


def test_an_edited_contact_keeps_its_own_language(role_client, sales_user):
    contact = ContactFactory(owner=sales_user, preferred_language="fr")
    html = role_client("Sales").get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert _selected_language(html) == "fr"


def test_tags_are_a_searchable_picker_without_a_ctrl_click_hint(role_client):
    Tag.objects.create(name="vip")
    html = role_client("Sales").get("/contacts/new/").content.decode()
    tags = re.search(r'<select name="tags".*?>', html, re.S).group(0)
    assert "data-tag-picker" in tags and "multiple" in tags
    assert "Ctrl" not in html
    assert "vendor/tom-select/js/tom-select.complete.min.js" in html


def test_the_edit_form_shows_phones_as_the_contact_page_does(role_client, sales_user):
    contact = ContactFactory(owner=sales_user, phones=["0612345678"])
    html = role_client("Sales").get(f"/contacts/{contact.pk}/edit/").content.decode()
    phones = unescape(re.search(r'<textarea name="phones"[^>]*>(.*?)</textarea>', html, re.S).group(1)).strip()
    assert phones == "+33 6 12 34 56 78"
    assert phones in unescape(role_client("Sales").get(f"/contacts/{contact.pk}/").content.decode())


def test_saving_the_edit_form_unchanged_keeps_the_phone_and_writes_no_history(role_client, sales_user):
    contact = ContactFactory(owner=sales_user, phones=["0612345678"], emails=["ines@example.org"])
    form = ContactForm(instance=contact)
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["tags"] = [tag.pk for tag in data.get("tags", [])]
    data["organisation"] = ""
    history_before = contact.history.count()

    response = role_client("Sales").post(f"/contacts/{contact.pk}/edit/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.phones == ["+33612345678"]
    assert contact.history.count() == history_before
