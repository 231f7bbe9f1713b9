"""RET-04 in a browser: a prospect near the end of their period answers the re-permission request and stays."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consent.models import ConsentState, Status
from core.models import OutboxMessage
from retention.models import RetentionPolicy
from retention.repermission import repermission_send
from retention.services import policy_update, purge_policy_now

from ..consent.conftest import activity, newsletter  # noqa: F401 - fixtures
from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_prospect_says_yes_from_the_link_and_survives_the_purge(page, newsletter):  # noqa: F811
    policy = policy_update(policy=RetentionPolicy.objects.get(key="prospects"), repermission_days=30)
    RetentionPolicy.objects.filter(pk=policy.pk).update(approved_version=policy.version)
    almost_three_years_ago = timezone.now() - timedelta(days=3 * 365 - 10)
    contact = ContactFactory(
        first_name="Ines", status="prospect", emails=["ines@example.com"], collected_at=almost_three_years_ago
    )
    assert repermission_send(policy=policy) == 1
    body = OutboxMessage.objects.get(contact=contact, template="retention_repermission").body
    link = re.search(r"https?://[^/\s]+(/privacy/renew/[^\s]+/)", body).group(1)

    # the person opens the link: no login, no cookie, nothing ticked; saving with nothing ticked asks again
    page.goto(link)
    checkbox = page.locator(f"#p-{newsletter.pk}-email")
    assert not checkbox.is_checked()
    with page.expect_navigation():
        page.click("#renew-form [type=submit]")
    assert "Tick at least one box" in page.inner_text("main")
    page.locator(f"#p-{newsletter.pk}-email").check()
    with page.expect_navigation():
        page.click("#renew-form [type=submit]")
    assert page.locator("#renew-done").is_visible()
    assert page.context.cookies() == []

    # consent granted at once (the link proved the address), and a month later the purge keeps the person
    assert ConsentState.objects.get(contact=contact, purpose=newsletter).status == Status.GRANTED
    type(contact).objects.filter(pk=contact.pk).update(collected_at=almost_three_years_ago - timedelta(days=30))
    purge_policy_now(policy=RetentionPolicy.objects.get(pk=policy.pk))
    assert type(contact).objects.filter(pk=contact.pk).exists()
