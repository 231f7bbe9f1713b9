"""A change made in the staff UI shows up, attributed, in the contact's history."""

from __future__ import annotations

import pytest

from crm.models import Contact

from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editing_a_contact_records_a_changed_row_by_the_user(sales_user, login):
    contact = ContactFactory(last_name="Dupont", owner=sales_user)  # Sales reach only the contacts they own
    page = login(sales_user)

    page.goto(f"/contacts/{contact.pk}/")
    page.goto(f"/contacts/{contact.pk}/edit/")
    page.fill("input[name='last_name']", "Dupont-Aignan")
    with page.expect_navigation():
        page.locator("form:has(input[name='last_name']) [type=submit]").click()

    assert page.url.rstrip("/").endswith(f"/contacts/{contact.pk}")
    rows = page.locator("#history tr:has(td)").all_inner_texts()
    changed = [row for row in rows if "changed" in row.lower()]
    assert len(changed) == 1, rows
    assert sales_user.get_username() in changed[0]
    assert Contact.objects.get(pk=contact.pk).last_name == "Dupont-Aignan"
