"""A Support user reviews a duplicate pair, merges it taking one field from each side, then undoes it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from crm.models import Contact, ContactMerge

from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_merges_a_pair_choosing_a_field_from_each_side_then_undoes_it(support_user, login):
    left = ContactFactory(
        first_name="Grace", last_name="Hopper", emails=["grace@example.com"], birth_date=date(1906, 12, 9),
        city="Arlington", job_title="",
    )  # fmt: skip
    right = ContactFactory(
        first_name="Grace", last_name="Hoper", emails=["g.hopper@example.net"], birth_date=date(1906, 12, 9),
        city="New York", job_title="Rear admiral",
    )  # fmt: skip
    call_command("find_duplicates", "--full")
    page = login(support_user)

    # the queue lists the pair with its reasons
    page.goto("/contacts/")
    page.click("#contact-subnav [data-tab='duplicates']")
    row = page.locator("#duplicate-queue tr[data-candidate]")
    assert row.count() == 1
    assert "same birth date" in row.inner_text()
    assert "1 new pairs" in page.inner_text("#dedup-runs")  # the run that found it, with its progress
    with page.expect_navigation():
        row.locator("a").click()

    # keep the left record and its last name (the newer right one is proposed), but the right one's city
    assert page.locator("#merge-fields tr[data-field='last_name'] input[value='b']").is_checked()
    page.locator("#merge-fields tr[data-field='last_name'] input[value='a']").check()
    page.locator("#merge-fields tr[data-field='city'] input[value='b']").check()
    assert page.locator("#merge-fields tr[data-field='job_title'] input[value='b']").is_checked()  # fills a gap
    with page.expect_navigation():
        page.click("#merge-submit")
    assert "was merged into" in page.inner_text(".messages")
    survivor = Contact.objects.get(pk=left.pk)
    assert (survivor.last_name, survivor.city, survivor.job_title) == ("Hopper", "New York", "Rear admiral")
    assert sorted(survivor.emails) == ["g.hopper@example.net", "grace@example.com"]

    # the merged-away record's page leads to the survivor
    page.goto(f"/contacts/{right.pk}/")
    assert page.url.endswith(f"/contacts/{left.pk}/")

    # undo
    page.goto(f"/contacts/merges/{ContactMerge.objects.get().pk}/")
    with page.expect_navigation():
        page.click("#undo-submit")
    assert "undone" in page.inner_text(".messages")
    left, right = Contact.objects.get(pk=left.pk), Contact.objects.get(pk=right.pk)
    assert (left.city, left.job_title, left.emails) == ("Arlington", "", ["grace@example.com"])
    assert (right.deleted_at, right.merged_into_id, right.emails) == (None, None, ["g.hopper@example.net"])
    assert page.locator("#duplicate-queue tr[data-candidate]").count() == 1  # back in the queue
