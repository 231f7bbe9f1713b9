"""A DPO signs in with the password, is sent to enrolment, scans the QR code (inline SVG, within the CSP),
confirms with a code, keeps the recovery codes, and reaches the contacts; at the next sign-in the code is asked."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..access.test_two_factor import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.real_second_factor]


def test_a_dpo_enrols_then_gives_the_code_at_the_next_sign_in(cast, login, page):
    login(cast["DPO"])
    assert "/account/two-factor/" in page.url
    assert page.locator(".qr-code svg").is_visible()
    assert page.locator("#two-factor-required").is_visible()

    device = TOTPDevice.objects.get(user=cast["DPO"], confirmed=False)
    page.fill("#id_token", code_for(device))
    page.get_by_role("button", name="Confirm").click()

    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("#two-factor-done")
    page.goto("/contacts/")
    assert page.url.endswith("/contacts/")

    # signed out, then in again: the code is asked for; a recovery code opens
    page.get_by_role("button", name="Log out").click()
    login(cast["DPO"])
    assert "/account/two-factor/verify/" in page.url
    page.fill("#id_token", codes[0])
    page.get_by_role("button", name="Continue").click()
    page.goto("/contacts/")
    assert page.url.endswith("/contacts/")
