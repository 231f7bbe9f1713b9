"""A person manages their newsletter consent from signed links; staff then read the proof on the contact page."""

from __future__ import annotations

import re

import pytest

from consent import tokens
from consent.models import ConsentEvent
from core.models import OutboxMessage

from ..consent.conftest import activity, newsletter  # noqa: F401 - fixtures
from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link(body: str, kind: str) -> str:
    return re.search(rf"https?://[^/\s]+(/privacy/{kind}/[^\s]+/)", body).group(1)


def test_give_confirm_and_withdraw_the_newsletter_then_staff_see_the_four_events(
    page,
    login,
    marketing_user,
    newsletter,  # noqa: F811
):
    contact = ContactFactory(first_name="Ada", last_name="Byron", emails=["ada@example.com"], owner=marketing_user)

    # the person opens the preference centre from a signed link: no login, no cookie, nothing ticked
    page.goto(f"/privacy/preferences/{tokens.preferences_token(contact.pk)}/")
    checkbox = page.locator(f"#p-{newsletter.pk}-email")
    assert not checkbox.is_checked()
    assert "Send me the monthly newsletter." in page.inner_text("#preferences-form")
    checkbox.check()
    with page.expect_navigation():
        page.click("#preferences-form [type=submit]")
    assert page.locator("#preferences-saved").is_visible()
    assert "Waiting for you to confirm" in page.inner_text("#preferences-form")
    assert page.context.cookies() == []

    # the double opt-in link from the outbox confirms
    body = OutboxMessage.objects.get(contact=contact, template="consent_confirmation").body
    page.goto(_link(body, "confirm"))
    assert page.locator("#consent-outcome[data-outcome=confirmed]").is_visible()

    # the one-click unsubscribe link withdraws
    page.goto(_link(body, "unsubscribe"))
    assert page.locator("#consent-outcome[data-outcome=unsubscribed]").is_visible()
    assert page.context.cookies() == []

    # staff read the four events with wording version, time, channel and proof
    login(marketing_user)
    page.goto(f"/contacts/{contact.pk}/")
    events = page.locator("#consent-events li")
    events.first.wait_for()
    assert events.count() == 4
    actions = [events.nth(i).get_attribute("data-event-action") for i in range(4)]
    assert actions == ["withdrawn", "confirmed", "confirmation_sent", "given"]
    given = page.locator("#consent-events li[data-event-action=given]")
    assert given.get_attribute("data-wording-version") == "1"
    text = given.inner_text()
    assert (
        "Newsletter" in text and "E-mail" in text and "Preference centre" in text and "form preference-centre" in text
    )
    assert "IP 127.0.0.1" in page.inner_text("#consent-events li[data-event-action=confirmed]")
    assert "One-click unsubscribe link" in page.inner_text("#consent-events li[data-event-action=withdrawn]")
    assert page.inner_text("#consent-states tr[data-purpose=newsletter] td:nth-child(3)") == "Withdrawn"
    assert ConsentEvent.objects.filter(contact=contact).count() == 4
